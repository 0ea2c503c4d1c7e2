"""Tests of ``alliance.editions``: the notebook editions, their links, publishing, the student edition."""
