"""Checks every format shares: binary sniffing, UTF-8 decoding, and what makes a body usable."""

from __future__ import annotations

import codecs
import functools
import re
from typing import IO

from kg.errors import IngestError

SNIFF_BYTES = 8192
BOM = codecs.BOM_UTF8
FORMATS_HINT = "strike-kg reads UTF-8 text (.txt, .text) and JSON Lines (.jsonl, .ndjson, .json)"
# Bytes 0x80-0xBF only continue a UTF-8 character, so the others count characters.
_CONTINUATION = bytes(range(0x80, 0xC0))
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_NON_TEXT = 0.3
# Single letters are left out: they are mostly mojibake or initials, and "a"/"i" are
# words in other languages too.
_WORD = re.compile(r"[^\W\d_]{2,}")
# Below this many words a stop-word share says little: give short texts the benefit of doubt.
MIN_WORDS = 20
# English news, even headline-style, is >= 23% stop words; French, Spanish, German, Dutch...
# score 0-6% against the English list.
_MIN_COMMON_SHARE = 0.12
_SAMPLE_CHARS = 20_000
# A letter beyond Latin Extended-B (U+024F): Cyrillic, Arabic, CJK...
_NON_LATIN = re.compile(r"[^\W\d_\x00-\u024f]")


def binary_reason(head: bytes) -> str | None:
    """Say why the first bytes of an input look binary, or return None if they look like text.

    Example:
        >>> binary_reason(b"Plain words."), binary_reason(b"PK\\x03\\x04\\x00")
        (None, 'it contains NUL bytes (binary data, or UTF-16/32 text)')
    """
    if b"\x00" in head:
        return "it contains NUL bytes (binary data, or UTF-16/32 text)"
    # An incremental decoder leaves a character cut at the end of the sample undecoded.
    sample = codecs.getincrementaldecoder("utf-8")("replace").decode(head)
    odd = sum(1 for ch in sample if ch == "\ufffd" or _is_control(ch))
    if sample and odd > len(sample) * _MAX_NON_TEXT:
        return f"{odd} of its first {len(sample)} characters are not text"
    return None


def _is_control(ch: str) -> bool:
    return (ch < " " or ch == "\x7f") and ch not in _TEXT_CONTROLS


def decode(data: bytes, source: str, first_line: int = 1, offset: int = 0) -> str | IngestError:
    """Decode UTF-8, drop a BOM and turn ``\\r\\n`` and lone ``\\r`` into ``\\n``.

    Args:
        data: the bytes to decode.
        source: the input's name, for the error.
        first_line: line number of the first byte of ``data`` within ``source``.
        offset: byte offset of ``data`` within ``source``.

    Example:
        >>> decode(BOM + b"a\\r\\nb", "x.txt")
        'a\\nb'
        >>> decode(b"ok\\ncaf\\xe9", "x.txt").reason
        'not valid UTF-8: byte 0xe9 at byte offset 6 (line 2); re-save the file as UTF-8'
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        byte = data[error.start : error.start + 1].hex()
        return IngestError(
            f"not valid UTF-8: byte 0x{byte} at byte offset {offset + error.start} (line {line}); "
            "re-save the file as UTF-8",
            source,
            line,
        )
    return normalise_newlines(text.removeprefix("\ufeff"))


def normalise_newlines(text: str) -> str:
    r"""Turn Windows (``\r\n``) and old Mac (``\r``) line ends into ``\n``.

    Offsets downstream are computed on the result, so the same article saved with either
    convention gets the same text, id and digest.

    Example:
        >>> normalise_newlines("a\r\nb\rc")
        'a\nb\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def count_chars(data: bytes) -> int:
    """Count the UTF-8 characters in ``data`` without decoding it.

    Example:
        >>> count_chars("café".encode())
        4
    """
    return len(data.translate(None, _CONTINUATION))


def count_rest(stream: IO[bytes], chunk: int = 1 << 20) -> int:
    """Count the characters left in ``stream``, a chunk at a time."""
    total = 0
    while data := stream.read(chunk):
        total += count_chars(data)
    return total


def too_long(chars: int, max_chars: int, source: str, line: int | None = None) -> IngestError:
    """Return the error for an article above the size limit."""
    return IngestError(
        f"{chars} characters, above the limit of {max_chars}; split it or raise KG_MAX_CHARS",
        source,
        line,
    )


@functools.cache
def _stop_words() -> frozenset[str]:
    # Imported lazily: spaCy's package import costs about a second and needs no model.
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def looks_english(text: str) -> bool:
    """Guess cheaply whether ``text`` is English.

    Mostly non-Latin letters mean no; otherwise at least 12% of the words (of two letters
    or more) must be spaCy's English stop words (running English prose has 35-50%). Texts
    under ``MIN_WORDS`` words pass unless their script rules English out.

    Example:
        >>> looks_english("Israeli jets struck a base near Aleppo, state media said.")
        True
        >>> looks_english("Израильские самолёты нанесли удар по базе под Алеппо.")
        False
    """
    sample = text[:_SAMPLE_CHARS].lower()
    words = _WORD.findall(sample)
    if len(_NON_LATIN.findall(sample)) * 2 > sum(map(len, words)):
        return False
    if len(words) < MIN_WORDS:
        return True
    common = sum(map(_stop_words().__contains__, words))
    return common >= len(words) * _MIN_COMMON_SHARE


def check_body(text: str, source: str, line: int | None, max_chars: int) -> IngestError | None:
    """Return why a decoded body cannot be used (empty, too long, not English), or None."""
    if not text.strip():
        return IngestError(
            "empty article: no text, or only whitespace; add the article text or remove it",
            source,
            line,
        )
    if len(text) > max_chars:
        return too_long(len(text), max_chars, source, line)
    if not looks_english(text):
        return IngestError(
            "the text does not look like English (too few common English words, or mostly "
            "non-Latin script); strike-kg reads English articles only: translate it or remove it",
            source,
            line,
        )
    return None
