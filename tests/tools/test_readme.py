"""The README's promises: its commands exist, and every 'When something goes wrong' row has a test."""
from __future__ import annotations

import re
from pathlib import Path

from tests._tools import load_check_python
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_trouble_row_names_an_existing_test():
    section = README.split("## When something goes wrong", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 10
    for row in rows:
        refs = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row)
        assert refs, f"row without a test: {row[:80]}"
        for path, name in refs:
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} does not exist"


def test_readme_commands_are_make_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"`make ([\w-]+)", README):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is not a target"
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


# ------------------------------------------------------------------ supported Pythons and set-up

def test_readme_and_how_to_use_state_the_supported_pythons():
    """Both say the range of pyproject.toml's requires-python, and claim no open-ended range."""
    check = load_check_python()
    stated = f"Python {check.describe(check.supported_minors(check.read_requires_python()))}"
    for name in ("README.md", "how-to-use.md"):
        text = re.sub(r"\s+", " ", (ROOT / name).read_text(encoding="utf-8"))
        assert stated in text, f"{name} does not say {stated!r}"
        assert not re.search(r"Python 3\.\d+(\+| or later| or newer)", text), name


def _makefile_commands(makefile: str, python: str) -> list[str]:
    """The commands of `make install`, `make book` and `make lab`, as a user would type them."""
    recipe = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    commands = []
    for line in (raw.strip().lstrip("@") for raw in recipe):
        if line.startswith(("#", "if ", "echo ", "touch ")):
            continue  # comments, the stale-venv replacement, the stamp: make's bookkeeping
        if line.startswith("test -x"):
            line = line.split("||")[1].strip()  # the venv is created when missing
        if "tools/check_python.py" in line:
            line = line.split(" --")[0]  # --make and --name only word the message for make
        commands.append(line.replace(" --quiet", ""))
    for target in ("book", "lab"):  # run from the repository's folder, so $(CURDIR)/ goes
        recipe = re.search(rf"^{target}:.*\n((?:\t.+\n)+)", makefile, re.M).group(1).replace("\\\n", " ")
        for line in (raw.strip().lstrip("@") for raw in recipe.splitlines()):
            if line.startswith("case "):
                continue  # make's check of EDITION
            # the default edition (solution) is what a reader builds: no variable, no student output path
            line = re.sub(r"^ALLIANCE_BOOK_EDITION=\$\(EDITION\) ", "", line)
            line = re.sub(r"\s+\$\(if \$\(filter student.*$", "", line)
            commands.append(line.replace("$(CURDIR)/", ""))
    flags = re.search(r"^JB_FLAGS := (.+)$", makefile, re.M).group(1)
    # $(LAB_FLAGS) is --allow-root for root only (containers, CI), never for a student's own account.
    return [c.replace("$(BIN)", ".venv/bin").replace("$(VENV)", ".venv").replace("$(JB_FLAGS)", flags)
             .replace(" $(LAB_FLAGS)", "").replace("$(PYTHON)", python) for c in commands]


def _block(language: str) -> list[str]:
    section = README.split("### Without `make`", 1)[1].split("\n## ", 1)[0]
    block = re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def test_commands_without_make_are_the_makefiles():
    """The README's commands for macOS/Linux and Windows are the Makefile's, in its order."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert _block("bash") == _makefile_commands(makefile, "python3")
    windows = []
    for command in _makefile_commands(makefile, "py -3.12"):
        command = re.sub(r"^mkdir -p ", "New-Item -ItemType Directory -Force ", command)
        command = re.sub(r"^cp ", "Copy-Item ", command)
        windows.append(command.replace(".venv/bin", ".venv/Scripts").replace("/", "\\"))
    assert _block("powershell") == windows
