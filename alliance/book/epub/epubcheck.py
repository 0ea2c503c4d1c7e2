"""Checking an EPUB with Debian's epubcheck (java): its verdict and message counts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: Debian's epubcheck (``apt-get install epubcheck``; ``make epubcheck`` installs it). Its
#: ``/usr/bin/epubcheck`` is the jar itself, which runs only where binfmt knows jars: run it with java.
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
_MESSAGES = re.compile(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?")


@dataclass(frozen=True)
class EpubcheckResult:
    """epubcheck's verdict on one EPUB: its exit code, message counts and output."""

    returncode: int
    fatals: int
    errors: int
    warnings: int
    output: str

    @property
    def valid(self) -> bool:
        """No fatal error and no error (warnings are reported, not failed on)."""
        return self.returncode == 0 and self.fatals == 0 and self.errors == 0


def run_epubcheck(epub: Path, jar: Path = EPUBCHECK_JAR) -> EpubcheckResult:
    """Check ``epub`` with epubcheck (java); its counts are read from its summary line."""
    import subprocess

    if not jar.is_file():
        raise FileNotFoundError(f"{jar}: epubcheck is not installed (make epubcheck, or apt-get install epubcheck)")
    done = subprocess.run(["java", "-jar", str(jar), str(epub)], capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    counts = _MESSAGES.search(output)
    # No summary line: epubcheck itself failed, which counts as one fatal error.
    fatals, errors, warnings = (int(n) for n in counts.groups()) if counts else (1, 0, 0)
    return EpubcheckResult(done.returncode, fatals, errors, warnings, output)
