"""Tests of the repository's tools (``tools/``) and of the README's promises."""
