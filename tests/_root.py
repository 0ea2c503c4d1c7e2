"""The repository's root, for every test: the one place that computes it (not a test module)."""
from __future__ import annotations

from pathlib import Path

#: The folder holding ``_config.yml``, ``alliance/`` and ``tests/``.
REPO_ROOT: Path = next(p for p in Path(__file__).resolve().parents if (p / "_config.yml").is_file())
