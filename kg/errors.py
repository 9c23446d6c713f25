"""One error hierarchy: every failure the user can cause is a ``KGError``.

Messages say what was received and how to fix it; the CLI prints them without a traceback
and the web layer turns them into one JSON error shape.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class of every error strike-kg raises on purpose."""


class ConfigError(KGError):
    """A setting is missing or invalid (model name, store path, base IRI...)."""


class IngestError(KGError):
    """An input could not be read as an article.

    Attributes:
        source: the file (or ``<stdin>``) the input came from.
        line: the 1-based line number within ``source`` where the problem is, if known.
    """

    def __init__(self, message: str, source: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
        self.reason = message

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str, int | None]]:
        # Errors cross process boundaries (worker pools): rebuild from the original fields.
        return (IngestError, (self.reason, self.source, self.line))


class NLPError(KGError):
    """The language pipeline could not be loaded or run."""


class ExtractError(KGError):
    """An article or a shard could not be extracted (the message names which)."""


class MappingError(KGError):
    """Extracted data could not be turned into RDF."""


class StoreError(KGError):
    """The Oxigraph store could not be opened, read or written."""


class QueryError(KGError):
    """A SPARQL query or update is malformed or cannot be answered.

    Attributes:
        line: 1-based line of a syntax error, when the parser reports it.
        column: 1-based column of a syntax error, when the parser reports it.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[type[QueryError], tuple[str, int | None, int | None]]:
        # Query errors come back from worker processes: keep the position.
        return (type(self), (str(self), self.line, self.column))


class QueryLimitError(QueryError):
    """A query ran past the time limit or its result past the size limit, and was stopped.

    Attributes:
        limit: ``"time"`` or ``"size"``.
    """

    def __init__(self, message: str, limit: str = "time") -> None:
        super().__init__(message)
        self.limit = limit

    def __reduce__(self) -> tuple[type[QueryLimitError], tuple[str, str]]:  # type: ignore[override]
        return (type(self), (str(self), self.limit))


class StoreBusyError(StoreError):
    """The store cannot take this request now (all query workers busy, or another process
    writing); trying again later may succeed."""


class ValidationError(KGError):
    """SHACL validation could not run (unreadable shapes or data); non-conformance is a result."""
