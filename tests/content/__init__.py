"""Tests of the content modules: corpus, sources, quotations, citations, prose checks, tables, charts, exercises."""
