"""JSON Lines: one article object a line, read as a stream so a huge file never sits in memory."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from kg.errors import IngestError
from kg.ingest.article import Article, make_article, parse_published
from kg.ingest.checks import BOM, check_body, decode, normalise_newlines

_OPTIONAL = ("id", "url", "source", "published", "title")
_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}
_SKIP_CHUNK = 1 << 16


@dataclass(frozen=True)
class Line:
    """One raw line of a byte stream.

    Attributes:
        number: 1-based line number.
        offset: byte offset of its first byte in the stream.
        size: bytes including the line end.
        length: bytes without the line end.
        data: the bytes, or None when the line is over the limit and was skipped unread.
    """

    number: int
    offset: int
    size: int
    length: int
    data: bytes | None


def _skip_line(stream: IO[bytes]) -> tuple[int, int]:
    """Read past the rest of a line without keeping it; return its length and line-end size."""
    skipped = 0
    while chunk := stream.readline(_SKIP_CHUNK):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            return skipped, 2 if chunk.endswith(b"\r\n") else 1
    return skipped, 0


def iter_lines(stream: IO[bytes], limit: int) -> Iterator[Line]:
    """Yield the lines of ``stream``; a line longer than ``limit`` bytes comes without data.

    Example:
        >>> import io
        >>> [(x.number, x.data) for x in iter_lines(io.BytesIO(b"ab\\ncdef\\ng"), 3)]
        [(1, b'ab\\n'), (2, None), (3, b'g')]
    """
    number = offset = 0
    while data := stream.readline(limit + 1):
        number += 1
        if len(data) > limit and not data.endswith(b"\n"):
            skipped, end = _skip_line(stream)
            size = len(data) + skipped
            yield Line(number, offset, size, size - end, None)
        else:
            size = len(data)
            yield Line(number, offset, size, len(data.rstrip(b"\r\n")), data)
        offset += size


def read_jsonl(stream: IO[bytes], name: str, max_chars: int) -> Iterator[Article | IngestError]:
    """Yield an article or an error for each non-blank line of a JSON Lines stream."""
    started = False
    # JSON escapes make a line longer than its text; twice max_chars leaves room for that.
    for line in iter_lines(stream, max_chars * 2):
        if line.data is None:
            yield IngestError(
                f"a record of {line.length} bytes, more than twice the limit of {max_chars} "
                "characters; split it or raise KG_MAX_CHARS",
                name,
                line.number,
            )
            continue
        data = line.data.removeprefix(BOM) if line.number == 1 else line.data
        if len(data) < len(line.data):  # keep byte offsets counted from the file's start
            line = dataclasses.replace(line, offset=line.offset + len(BOM), data=data)
        if not data.strip():
            continue
        if not started and data.lstrip().startswith(b"["):
            # One error, not one a line, for the common mistake of a pretty-printed JSON array.
            yield IngestError(
                "this is a JSON array, not JSON Lines; write one object a line, e.g. "
                f"jq -c '.[]' {name} > articles.jsonl",
                name,
                line.number,
            )
            return
        started = True
        yield parse_record(data, name, line, max_chars)


def parse_record(data: bytes, name: str, line: Line, max_chars: int) -> Article | IngestError:
    """Turn one JSON Lines record into an article, or the error that says what is wrong."""
    text = decode(data, name, line.number, line.offset)
    if isinstance(text, IngestError):
        return text
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        return _error(f"malformed JSON ({error.msg} at column {error.colno})", name, line)
    except RecursionError:  # Python's decoder recurses once per level of nesting
        return _error("malformed JSON (nested too deeply to be an article)", name, line)
    if not isinstance(record, dict):
        return _error(f"expected a JSON object, got {_json_type(record)}", name, line)
    problem = _check_types(record)
    if problem is not None:
        return _error(problem, name, line)
    # The line-end rule for files holds for JSON strings too: Article.text has no "\r".
    body = normalise_newlines(record["text"]).strip()
    checked = check_body(body, name, line.number, max_chars)
    if checked is not None:
        return checked
    raw_date = (record.get("published") or "").strip()
    try:
        published = parse_published(raw_date) if raw_date else None
    except ValueError:
        return _error(
            f"'published' is {raw_date!r}, not an ISO date or datetime "
            "(e.g. 2020-05-05 or 2020-05-05T02:59:00)",
            name,
            line,
        )
    return make_article(
        body,
        f"{name}:{line.number}",
        given_id=record.get("id"),
        url=record.get("url"),
        title=record.get("title"),
        published=published,
        source=record.get("source"),
    )


def _check_types(record: dict[str, Any]) -> str | None:
    if "text" not in record:
        return "the record has no 'text' field; put the article body in 'text'"
    if not isinstance(record["text"], str):
        return f"'text' must be a string, got {_json_type(record['text'])}"
    for key in _OPTIONAL:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return f"{key!r} must be a string or null, got {_json_type(value)}"
    return None


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _error(problem: str, name: str, line: Line) -> IngestError:
    return IngestError(f"{problem}; fix the line or remove it", name, line.number)
