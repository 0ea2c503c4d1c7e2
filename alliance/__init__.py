"""Helpers for the course *The US-Japan Alliance in the Trump Years*.

Every notebook of the course imports from here, so that cells stay short:

>>> from alliance import load_corpus, quote, q, show
"""
from alliance.paths import PROJECT_ROOT
from alliance.errors import CourseError, SourceError, MetadataError, QuotationError
from alliance.sources import load_metadata
from alliance.corpus import Corpus, load_corpus
from alliance.quotes import quote, q, Quotation
from alliance.charts import show, enable_charts
from alliance.reference import load_events, load_figures, ref_link
from alliance.text import per_thousand, term_counts, kwic, load_lexicon

__all__ = [
    "PROJECT_ROOT", "CourseError", "SourceError", "MetadataError", "QuotationError",
    "load_metadata", "Corpus", "load_corpus", "quote", "q", "Quotation", "show",
    "enable_charts", "load_events", "load_figures", "ref_link", "per_thousand",
    "term_counts", "kwic", "load_lexicon",
]
