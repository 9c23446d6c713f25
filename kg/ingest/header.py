"""Text files: the seed header format (``URL :``, ``ID :``, ... ``Ariticle :``) or plain text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import IngestError
from kg.ingest.article import Article, make_article, parse_published
from kg.ingest.checks import check_body

# "Ariticle" is how the real source format spells it; "Article" is accepted too.
_KEY = re.compile(r"[ \t]*(URL|ID|Date|Title|Ariticle|Article)[ \t]*:[ \t]?", re.IGNORECASE)
_BODY_KEYS = frozenset({"ariticle", "article"})
_FIX = "fix the header or remove it to read the file as plain text"


@dataclass(frozen=True)
class _Field:
    value: str
    line: int


def has_header(text: str) -> bool:
    """Tell whether ``text`` starts (after blank lines) with a header key.

    Example:
        >>> has_header("\\nURL : https://x.org/a\\nAriticle : Body"), has_header("Israel hit...")
        (True, False)
    """
    return _KEY.match(text.lstrip()) is not None


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (1-based number, start offset, content) of each ``\\n``-separated line."""
    start = 0
    for number, line in enumerate(text.split("\n"), 1):
        yield number, start, line
        start += len(line) + 1


def _split(text: str, origin: str) -> tuple[dict[str, _Field], str, int] | IngestError:
    """Split header fields from the body; return (fields, body, line of the body marker)."""
    fields: dict[str, _Field] = {}
    for number, start, line in _lines(text):
        if not line.strip():
            continue  # blank lines between header lines are allowed
        match = _KEY.match(line)
        if match is None:
            return IngestError(
                f"expected a header line 'Key : value' (URL, ID, Date, Title) or 'Ariticle :' "
                f"before the body, got {line[:60]!r}; {_FIX}",
                origin,
                number,
            )
        key = match.group(1).lower()
        if key in _BODY_KEYS:
            return fields, text[start + match.end() :], number
        if key in fields:
            return IngestError(
                f"header key {match.group(1)!r} given twice (lines {fields[key].line} and "
                f"{number}); keep one",
                origin,
                number,
            )
        fields[key] = _Field(line[match.end() :].strip(), number)
    return IngestError(f"the header has no 'Ariticle :' line before the body; {_FIX}", origin)


def read_header(text: str, origin: str, max_chars: int) -> Article | IngestError:
    """Read a decoded seed-header file into an article (or the error that stops it)."""
    split = _split(text, origin)
    if isinstance(split, IngestError):
        return split
    fields, raw_body, body_line = split
    body = raw_body.strip()
    problem = check_body(body, origin, body_line if not body else None, max_chars)
    if problem is not None:
        return problem
    date = fields.get("date")
    published = None
    if date is not None and date.value:
        try:
            published = parse_published(date.value)
        except ValueError:
            return IngestError(
                f"Date {date.value!r} is not an ISO date or datetime; write it like 2020-05-05 "
                "or 2020-05-05 02:59:00",
                origin,
                date.line,
            )
    return make_article(
        body,
        origin,
        given_id=_value(fields, "id"),
        url=_value(fields, "url"),
        title=_value(fields, "title"),
        published=published,
    )


def _value(fields: dict[str, _Field], key: str) -> str | None:
    field = fields.get(key)
    return None if field is None else field.value


def read_text(text: str, origin: str, max_chars: int) -> Article | IngestError:
    """Read a decoded text file: seed header format if it starts with one, else plain text.

    Example:
        >>> read_text("  Israel struck a base.\\n", "x.txt", 100).text
        'Israel struck a base.'
    """
    if has_header(text):
        return read_header(text, origin, max_chars)
    body = text.strip()
    return check_body(body, origin, None, max_chars) or make_article(body, origin)
