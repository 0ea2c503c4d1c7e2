"""Run notebooks in a real JupyterLab, driven by headless Chromium, and report what a reader sees.

Used by ``tests/book/test_lab_browser.py`` and ``tools/bench.py``-style measurements: the project's own
JupyterLab is started on a free loopback port (a fresh settings folder: no news fetching, every cell
rendered), Chromium opens each notebook, runs all cells, and :class:`NotebookReport` records

* the HTML of every rendered Markdown cell (so raw MyST can be searched for);
* how many charts the kernel sent (Altair widget outputs) and how many are drawn (a ``<canvas>`` or
  ``<svg>`` in a ``.vega-embed``);
* error outputs, console errors, page errors, and every request to a host other than 127.0.0.1
  (aborted).
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from alliance.book.site import CHROMIUM_ARGS, LOCAL_HOST, find_chromium

#: User settings of the JupyterLab under test: render every cell (no windowing), fetch no news.
LAB_SETTINGS: dict[str, dict] = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}
RUN_TIMEOUT_S = int(os.environ.get("ALLIANCE_LAB_TIMEOUT", "300"))
CHART_TIMEOUT_S = 60


@dataclass
class NotebookReport:
    """What one notebook showed after Run All in JupyterLab."""

    path: str
    seconds: float = 0.0
    markdown_html: list[str] = field(default_factory=list)
    code_cells: int = 0
    executed_cells: int = 0
    charts_sent: int = 0
    charts_drawn: int = 0
    error_outputs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def jupyterlab(root: Path, python: str = sys.executable) -> Iterator[str]:
    """Start ``python -m jupyterlab`` on ``root`` (127.0.0.1, a free port); yields its URL with token."""
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="alliance-lab-") as home:
        settings = Path(home) / "settings"
        for name, value in LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(value), encoding="utf-8")
        env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
               "JUPYTERLAB_WORKSPACES_DIR": str(Path(home) / "workspaces"),
               "JUPYTER_RUNTIME_DIR": str(Path(home) / "runtime")}
        env.pop("ALLIANCE_CHART_MODE", None)  # kernels draw as in a student's JupyterLab
        log = open(Path(home) / "lab.log", "w")
        process = subprocess.Popen(
            [python, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={LOCAL_HOST}", f"--ServerApp.port={port}",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
             "--ServerApp.port_retries=0", "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://{LOCAL_HOST}:{port}/"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2).read()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab did not start: "
                                           + (Path(home) / "lab.log").read_text(errors="replace")[-2000:])
                    time.sleep(0.5)
            yield f"{url}lab?token={token}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


_RUN_ALL_JS = """async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  window.allianceNotebook = widget;
  await widget.context.ready;
  await widget.sessionContext.ready;
  app.commands.execute('notebook:run-all-cells');  // not awaited: the state is polled
  return true;
}"""

_STATE_JS = """(path) => {
  const app = window.jupyterapp;
  const widget = window.allianceNotebook;
  if (!widget || !widget.content || widget.context.path !== path) return null;
  const cells = widget.content.widgets;
  const code = cells.filter(c => c.model.type === 'code');
  const busy = widget.sessionContext.session?.kernel?.status !== 'idle';
  const pending = code.filter(c => c.promptNode && /\\[\\*\\]/.test(c.promptNode.textContent)).length;
  const executed = code.filter(c => c.model.executionCount !== null).length;
  let sent = 0; const errors = [];
  for (const c of code) {
    const outputs = c.model.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs.get(i);
      if (o.type === 'error') errors.push(JSON.stringify(o.toJSON()).slice(0, 400));
      if (o.data && o.data['application/vnd.jupyter.widget-view+json']) sent++;
    }
  }
  const node = widget.content.node;
  const drawn = node.querySelectorAll('.jp-OutputArea .vega-embed canvas, .jp-OutputArea .vega-embed svg.marks').length;
  const markdown = cells.filter(c => c.model.type === 'markdown').map(c => {
    const r = c.node.querySelector('.jp-RenderedMarkdown');
    return r ? r.innerHTML : 'NOT RENDERED: ' + c.model.sharedModel.getSource().slice(0, 200);
  });
  return {busy, pending, executed, codeCells: code.length, sent, drawn, errors, markdown};
}"""


def run_notebooks(lab_url: str, paths: list[str], chromium: str | None = None) -> list[NotebookReport]:
    """Open each notebook (relative to the lab's root) in JupyterLab, Run All, and report."""
    from playwright.sync_api import sync_playwright

    chromium = chromium or find_chromium()
    if chromium is None:
        raise RuntimeError("Chromium not found (/usr/bin/chromium or `chromium` on PATH): run `make browser`.")
    reports: list[NotebookReport] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
            external: list[str] = []
            console: list[str] = []

            def route(route_obj) -> None:
                if urlsplit(route_obj.request.url).hostname != LOCAL_HOST:
                    external.append(route_obj.request.url)
                    route_obj.abort("blockedbyclient")
                else:
                    route_obj.continue_()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: console.append(f"page error: {error}"))
            page.goto(lab_url, wait_until="load", timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')"
                                   " && window.jupyterapp.commands.hasCommand('notebook:run-all-cells')",
                                   timeout=120_000)
            page.evaluate("async () => { await window.jupyterapp.restored; }")
            for path in paths:
                external.clear()
                console.clear()
                report = NotebookReport(path)
                start = time.monotonic()
                page.evaluate(_RUN_ALL_JS, path)
                state = None
                deadline = time.monotonic() + RUN_TIMEOUT_S
                while time.monotonic() < deadline:
                    state = page.evaluate(_STATE_JS, path)
                    if state and not state["busy"] and not state["pending"] and (
                            state["executed"] == state["codeCells"] or state["errors"]):
                        break
                    page.wait_for_timeout(500)
                chart_deadline = time.monotonic() + CHART_TIMEOUT_S
                while state and state["drawn"] < state["sent"] and time.monotonic() < chart_deadline:
                    page.wait_for_timeout(500)
                    state = page.evaluate(_STATE_JS, path)
                report.seconds = time.monotonic() - start
                if state:
                    report.markdown_html = state["markdown"]
                    report.code_cells, report.executed_cells = state["codeCells"], state["executed"]
                    report.charts_sent, report.charts_drawn = state["sent"], state["drawn"]
                    report.error_outputs = state["errors"]
                report.console_errors = list(console)
                report.external_requests = list(external)
                reports.append(report)
                page.evaluate("""async () => {
                  const app = window.jupyterapp; const w = window.allianceNotebook;
                  if (w && w.sessionContext) { await w.sessionContext.shutdown(); }
                  await app.commands.execute('application:close-all'); }""")
                # the next notebook's Run All must not see this one's kernel or widgets
                page.wait_for_timeout(300)
            context.close()
        finally:
            browser.close()
    return reports
