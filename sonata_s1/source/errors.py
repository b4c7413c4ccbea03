"""The one error type of the source reader: it always names the file (and key) at fault."""


class SourceError(ValueError):
    """Invalid or missing NetPyNE source data."""
