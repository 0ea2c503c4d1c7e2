"""The course's tests, one folder per package of ``alliance`` (a package, so test modules import each other as ``tests.<folder>.<module>``)."""
