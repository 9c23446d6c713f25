"""The ``Article`` record and the rules that give each article a stable identity."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

# Characters RFC 3987 leaves unreserved: safe as-is in an IRI path segment.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")
_HASH_CHARS = 16


@dataclass(frozen=True)
class Article:
    """One news article, as read from a file, a JSON Lines record or stdin.

    Attributes:
        doc_id: stable, IRI-safe identifier (see ``make_doc_id``).
        text: the body; every character offset downstream is computed on this string.
        title: headline, if the input gave one.
        url: address of the original article, if known.
        published: publication date or datetime, if known.
        source: the outlet, given or derived from the URL's host.
        origin: where it was read from, e.g. ``seeds/x.txt``, ``corpus.jsonl:12``,
            ``<stdin>``; not part of the digest.
    """

    doc_id: str
    text: str
    title: str | None
    url: str | None
    published: datetime.date | datetime.datetime | None
    source: str | None
    origin: str

    def digest(self) -> str:
        """Return a sha256 hex digest of everything but ``origin``.

        The same article read from two places gives the same digest; any change to its
        text or metadata gives a different one, so callers can tell a correction apart
        from a repeat.
        """
        fields = {
            "doc_id": self.doc_id,
            "text": self.text,
            "title": self.title,
            "url": self.url,
            # isoformat keeps date and midnight datetime apart: 2020-05-05 vs ...T00:00:00.
            "published": None if self.published is None else self.published.isoformat(),
            "source": self.source,
        }
        canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:_HASH_CHARS]


def safe_id(given: str) -> str:
    """Percent-encode every character outside ``[A-Za-z0-9._~-]``.

    Example:
        >>> safe_id("ALJA2020050500029"), safe_id("a b/ç"), safe_id("..")
        ('ALJA2020050500029', 'a%20b%2F%C3%A7', '%2E%2E')
    """
    if set(given) == {"."}:
        # "." and ".." are dot-segments: an IRI resolver would remove them from the path.
        return "%2E" * len(given)
    return quote(given, safe="")


def make_doc_id(given: str | None, url: str | None, text: str) -> str:
    """Return an article's id: the given id, else one derived from the URL, else the text.

    Example:
        >>> make_doc_id("fakes-0002", None, "...")
        'fakes-0002'
        >>> make_doc_id(None, "https://example.org/a", "...")
        'url-b5b10dd0429e69ac'
        >>> make_doc_id(None, None, "Some text.")
        'text-13b4c5aecd1b6d74'
    """
    if given:
        return safe_id(given)
    if url:
        return "url-" + _sha(url)
    return "text-" + _sha(text)


def source_from_url(url: str | None) -> str | None:
    """Return the outlet's host name from a URL, without a leading ``www.``.

    Example:
        >>> source_from_url("https://www.aljazeera.com/news/x.html")
        'aljazeera.com'
    """
    if not url:
        return None
    host = urlsplit(url).hostname
    if not host:
        return None
    return host.removeprefix("www.")


def parse_published(value: str) -> datetime.date | datetime.datetime:
    """Parse an ISO 8601 date (to a ``date``) or datetime (to a ``datetime``).

    Raises:
        ValueError: the value is neither.

    Example:
        >>> parse_published("2020-05-05"), parse_published("2020-05-05 02:59:00")
        (datetime.date(2020, 5, 5), datetime.datetime(2020, 5, 5, 2, 59))
    """
    value = value.strip()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return datetime.datetime.fromisoformat(value)


def _clean(value: str | None) -> str | None:
    # Blank metadata is no metadata: an empty ID must not become the id "".
    if value is None:
        return None
    return value.strip() or None


def make_article(
    text: str,
    origin: str,
    *,
    given_id: str | None = None,
    url: str | None = None,
    title: str | None = None,
    published: datetime.date | datetime.datetime | None = None,
    source: str | None = None,
) -> Article:
    """Build an ``Article`` from a checked body and raw metadata.

    Metadata is stripped (blank means absent), the id follows ``make_doc_id`` and a missing
    source falls back to the URL's host.

    Example:
        >>> a = make_article("Text.", "x.txt", given_id=" A1 ", url="https://www.bbc.com/x")
        >>> a.doc_id, a.source, a.title
        ('A1', 'bbc.com', None)
    """
    given_id, url = _clean(given_id), _clean(url)
    return Article(
        doc_id=make_doc_id(given_id, url, text),
        text=text,
        title=_clean(title),
        url=url,
        published=published,
        source=_clean(source) or source_from_url(url),
        origin=origin,
    )
