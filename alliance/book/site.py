"""The built book as a site: its table of contents, a local server, and the browser to visit it.

Shared by the tests (build, browser) and ``tools/bench.py``.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

LOCAL_HOST = "127.0.0.1"
#: Debian's Chromium, headless, as root, with no background traffic to the (closed) network.
CHROMIUM_ARGS: list[str] = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def toc_files(book: Path) -> list[str]:
    """Every file of ``_toc.yml`` (root, parts, chapters, sections), without suffix, in order."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict] | None) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def find_chromium() -> str | None:
    """Debian's Chromium: $ALLIANCE_CHROMIUM, /usr/bin/chromium, or chromium on PATH."""
    for candidate in (os.environ.get("ALLIANCE_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


#: Files a static host (GitHub Pages, nginx) sends gzipped to a browser that accepts it.
COMPRESSIBLE = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".xml")


class _GzipHandler(_QuietHandler):
    """As a static host serves the book: text files gzipped when the browser accepts gzip."""

    def send_head(self):  # type: ignore[override]  # noqa: ANN201 - stdlib signature
        path = Path(self.translate_path(self.path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or not path.is_file() or path.suffix not in COMPRESSIBLE:
            return super().send_head()
        import io

        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: Path, compress: bool = False) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yields the base URL.

    ``compress``: gzip text files for browsers that accept it, as a static host does (the bench's
    Lighthouse audits); off, every file is sent as it is (the tests)."""
    handler = _GzipHandler if compress else _QuietHandler
    httpd = ThreadingHTTPServer((LOCAL_HOST, 0), functools.partial(handler, directory=str(directory)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://{LOCAL_HOST}:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
