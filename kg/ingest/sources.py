"""Where articles come from: files, directories, glob patterns and stdin."""

from __future__ import annotations

import glob
import io
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kg.errors import IngestError
from kg.ingest.article import Article
from kg.ingest.checks import (
    BOM,
    FORMATS_HINT,
    SNIFF_BYTES,
    binary_reason,
    count_chars,
    count_rest,
    decode,
    too_long,
)
from kg.ingest.header import read_text
from kg.ingest.jsonl import read_jsonl

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

STDIN = "-"
STDIN_NAME = "<stdin>"
TEXT_SUFFIXES = frozenset({".txt", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
# Room for a header block on top of the body when capping a text file's size.
_HEADER_SLACK = 1 << 16
_BUFFER = 1 << 16

Item = Article | IngestError


def read_articles(
    sources: Iterable[str | Path], *, max_chars: int = 200_000, stdin: IO[bytes] | None = None
) -> Iterator[Item]:
    """Read articles from files, directories, globs and ``-`` (stdin), in order.

    Bad input is yielded as an ``IngestError`` and reading goes on; a file reached twice
    (e.g. through a directory and a glob) is read once.

    Args:
        sources: paths, directories (walked recursively, sorted, hidden entries skipped),
            glob patterns (``**`` recurses) or ``"-"``.
        max_chars: longest body accepted, in characters.
        stdin: byte stream read for ``"-"``; ``sys.stdin.buffer`` by default.
    """
    if isinstance(sources, str | os.PathLike):
        sources = [sources]  # a lone path would otherwise be read one character at a time
    seen: set[str] = set()
    for source in sources:
        if isinstance(source, str) and source == STDIN:
            yield from _read_stdin(stdin, max_chars)
            continue
        for found in input_files([source], seen):
            if isinstance(found, IngestError):
                yield found
            else:
                yield from read_file(found, max_chars)


def input_files(
    sources: Iterable[str | Path], seen: set[str] | None = None
) -> Iterator[Path | IngestError]:
    """The files that paths, directories and globs name, each once (``seen`` holds the
    real paths already given), or an error for a source that names none."""
    seen = set() if seen is None else seen
    for source in sources:
        for found in _expand(os.fspath(source)):
            if isinstance(found, IngestError):
                yield found
            elif (key := os.path.realpath(found)) not in seen:
                seen.add(key)
                yield found


def _expand(source: str) -> Iterator[Path | IngestError]:
    """Turn one source into the files it names, or an error if it names none."""
    if os.path.isdir(source):
        yield from _walk(Path(source))
    elif os.path.exists(source):
        yield Path(source)
    elif glob.has_magic(source):
        matches = sorted(glob.glob(source, recursive=True))
        if not matches:
            yield IngestError("no file matches this pattern; check the pattern", source)
        for match in matches:
            yield from _walk(Path(match)) if os.path.isdir(match) else [Path(match)]
    else:
        yield IngestError("no such file or directory; check the path", source)


def _walk(directory: Path) -> Iterator[Path | IngestError]:
    """Yield the non-hidden files under ``directory``, sorted by path."""
    problems: list[OSError] = []
    files: list[Path] = []
    for root, dirs, names in os.walk(directory, onerror=problems.append):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        files.extend(Path(root, name) for name in names if not name.startswith("."))
    for problem in problems:
        yield IngestError(
            f"cannot list this directory ({problem.strerror})", str(problem.filename or directory)
        )
    if not files and not problems:
        yield IngestError(f"the directory holds no files; {FORMATS_HINT}", str(directory))
    yield from sorted(files)


def read_file(path: Path, max_chars: int) -> Iterator[Item]:
    """Read one file by its extension: text (sniffed for a header) or JSON Lines."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
        kind = f"extension {suffix!r}" if suffix else "no extension"
        yield IngestError(f"unknown or binary format ({kind}); {FORMATS_HINT}", str(path))
        return
    try:
        with open(path, "rb") as stream:
            yield from read_stream(stream, str(path), suffix in JSONL_SUFFIXES, max_chars)
    except OSError as error:
        yield IngestError(f"cannot read the file ({error.strerror}); check it", str(path))


def _read_stdin(stdin: IO[bytes] | None, max_chars: int) -> Iterator[Item]:
    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:
        yield IngestError("there is no standard input; pipe articles in or name files", STDIN_NAME)
        return
    try:
        yield from read_stream(stream, STDIN_NAME, None, max_chars)
    except OSError as error:
        yield IngestError(f"cannot read standard input ({error})", STDIN_NAME)


def read_stream(stream: IO[bytes], name: str, jsonl: bool | None, max_chars: int) -> Iterator[Item]:
    """Read a byte stream as JSON Lines (``jsonl``), text, or by sniffing (``None``)."""
    head = stream.read(SNIFF_BYTES)
    reason = binary_reason(head)
    if reason is not None:
        yield IngestError(f"unknown or binary format: {reason}; {FORMATS_HINT}", name)
        return
    # Sniffing consumed the head; replay it so stdin, which cannot seek, reads whole.
    replayed = io.BufferedReader(_Replay(head, stream), buffer_size=_BUFFER)
    if jsonl is None:
        jsonl = head.removeprefix(BOM).lstrip().startswith(b"{")
    if jsonl:
        yield from read_jsonl(replayed, name, max_chars)
    else:
        yield _read_text_stream(replayed, name, max_chars)


def _read_text_stream(stream: IO[bytes], name: str, max_chars: int) -> Item:
    # UTF-8 takes at most 4 bytes a character: more bytes than this is surely too long,
    # and is counted without being kept in memory.
    cap = max_chars * 4 + _HEADER_SLACK
    data = stream.read(cap + 1)
    if len(data) > cap:
        return too_long(count_chars(data) + count_rest(stream), max_chars, name)
    text = decode(data, name)
    if isinstance(text, IngestError):
        return text
    return read_text(text, name, max_chars)


class _Replay(io.RawIOBase):
    """A raw stream giving back ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._head[: len(view)] if self._head else self._stream.read(len(view))
        self._head = self._head[len(data) :]
        view[: len(data)] = data
        return len(data)
