"""Tests of ``alliance.classroom``: grading, the sandbox, marking, feedback, the gradebook, the roster."""
