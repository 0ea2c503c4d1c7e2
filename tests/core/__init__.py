"""Tests of the core: ``alliance`` itself, ``paths``, ``errors``, the layers, the wheel, the lock and the install."""
