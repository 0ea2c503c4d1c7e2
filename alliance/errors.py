"""Exceptions with messages that name the file (and row) at fault and what to do."""


class CourseError(Exception):
    """Base class of every error the course raises on bad input."""


class SourceError(CourseError):
    """A seed file is missing, altered, or not described in the metadata."""


class MetadataError(CourseError):
    """A row of ``data/sources.csv`` is malformed."""


class QuotationError(CourseError):
    """A quotation is not verbatim in the source it is attributed to."""


class CitationError(CourseError):
    """A paragraph citation, inline quotation or claim of absence does not hold."""


class EditionError(CourseError):
    """A notebook edition could not be written: an unknown construct, a missing value or link."""
