"""Tests of ``alliance.book`` and of the built book: the build, pages, browser, PDF, EPUB, theme, lab."""
