"""Content negotiation: an ``Accept`` header or a ``format`` parameter to a serialisation.

Pure functions over strings, so they can be tested without a request. A query's form (and
so the formats it can be written in) is known only after the store has parsed it: callers
pass ``QueryResult.formats()`` as ``available``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from werkzeug.http import parse_options_header

# The media type each serialisation is answered with.
MEDIA_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "rdfxml": "application/rdf+xml",
}

# Media types a client may ask for, in the server's order of preference (SPARQL JSON for
# results and Turtle for graphs come first, so ``*/*`` gets them). Generic types follow:
# ``application/json`` means SPARQL JSON for results but JSON-LD for a graph, and so on.
OFFERS: tuple[tuple[str, str], ...] = (
    *((media_type, name) for name, media_type in MEDIA_TYPES.items()),
    ("application/json", "json"),
    ("application/json", "jsonld"),
    ("application/xml", "xml"),
    ("application/xml", "rdfxml"),
    ("text/xml", "xml"),
    ("text/xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "ntriples"),  # N-Triples' media type before RDF 1.1
)

# ``format=json`` on a CONSTRUCT means JSON-LD, ``format=xml`` RDF/XML.
FORMAT_ALIASES: dict[str, str] = {"json": "jsonld", "xml": "rdfxml"}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header.

    Attributes:
        media_type: ``type/subtype``, either part possibly ``*``; lower case.
        quality: the ``q`` weight, 0 to 1.
        position: index in the header, used to break ties in the client's favour.
    """

    media_type: str
    quality: float = 1.0
    position: int = 0

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        main, sub = self.media_type.split("/", 1)
        return 0 if main == "*" else 1 if sub == "*" else 2

    def matches(self, media_type: str) -> bool:
        """Whether this range covers a concrete media type.

        Example:
            >>> MediaRange("text/*").matches("text/csv")
            True
        """
        main, sub = self.media_type.split("/", 1)
        offer_main, offer_sub = media_type.split("/", 1)
        return main in ("*", offer_main) and sub in ("*", offer_sub)


@dataclass(frozen=True)
class Choice:
    """The serialisation to answer with."""

    format_name: str
    media_type: str

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value; every format served is UTF-8 text."""
        return f"{self.media_type}; charset=utf-8"


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an ``Accept`` header, keeping the client's order; malformed entries are dropped.

    Example:
        >>> [(r.media_type, r.quality) for r in parse_accept("text/csv;q=0.5, */*")]
        [('text/csv', 0.5), ('*/*', 1.0)]
    """
    ranges = []
    for position, entry in enumerate(header.split(",")):
        media_type, params = parse_options_header(entry.strip())
        media_type = "*/*" if media_type == "*" else media_type.lower()
        quality = _quality(params.get("q", "1"))
        if _is_media_range(media_type) and quality is not None:
            ranges.append(MediaRange(media_type, quality, position))
    return ranges


def negotiate(available: Sequence[str], accept: str | None) -> Choice | None:
    """Pick the serialisation for an ``Accept`` header among the ``available`` names.

    Example:
        >>> negotiate(["json", "xml", "csv", "tsv"], "text/csv;q=0.5, application/xml")
        Choice(format_name='xml', media_type='application/sparql-results+xml')
    """
    name = best_offer([offer for offer in OFFERS if offer[1] in available], accept)
    return None if name is None else Choice(name, MEDIA_TYPES[name])


def best_offer(offers: Sequence[tuple[str, str]], accept: str | None) -> str | None:
    """The name of the ``(media type, name)`` offer an ``Accept`` header prefers.

    Each offer takes the weight of the most specific range that covers it (so
    ``text/csv;q=0, */*`` rules CSV out); the highest weight wins, then the more specific
    range, then the range the client listed first, then the earlier offer. No header means
    anything; ``None`` means nothing acceptable.

    Example:
        >>> best_offer([("text/html", "html"), ("text/turtle", "turtle")], "text/*;q=0.5")
        'html'
    """
    ranges = parse_accept(accept) if accept and accept.strip() else [MediaRange("*/*")]
    best: tuple[tuple[float, int, int, int], str] | None = None
    for rank, (media_type, name) in enumerate(offers):
        matched = _most_specific(ranges, media_type)
        if matched is None or matched.quality <= 0:
            continue
        key = (matched.quality, matched.specificity, -matched.position, -rank)
        if best is None or key > best[0]:
            best = (key, name)
    return None if best is None else best[1]


def choose(available: Sequence[str], accept: str | None, format_param: str | None) -> Choice | None:
    """Pick the serialisation: a ``format`` parameter (name or media type) overrides Accept.

    Example:
        >>> choose(["turtle", "jsonld"], "text/turtle", "json").format_name
        'jsonld'
    """
    if not format_param:
        return negotiate(available, accept)
    if "/" in format_param:
        return negotiate(available, format_param)
    name = format_param.strip().lower()
    if name not in available:
        name = FORMAT_ALIASES.get(name, name)
    return Choice(name, MEDIA_TYPES[name]) if name in available else None


def is_known_format(format_param: str) -> bool:
    """Whether a ``format`` parameter names a serialisation or looks like a media type."""
    return "/" in format_param or format_param.strip().lower() in MEDIA_TYPES


def media_types(available: Sequence[str]) -> list[str]:
    """The media types that can be served for the ``available`` serialisation names."""
    return [MEDIA_TYPES[name] for name in available if name in MEDIA_TYPES]


def _most_specific(ranges: Sequence[MediaRange], media_type: str) -> MediaRange | None:
    # The most specific range decides an offer's weight (RFC 9110, 12.5.1).
    matching = [r for r in ranges if r.matches(media_type)]
    return max(matching, key=lambda r: (r.specificity, -r.position), default=None)


def _is_media_range(value: str) -> bool:
    main, _, sub = value.partition("/")
    return bool(main) and bool(sub) and "/" not in sub and not (main == "*" and sub != "*")


def _quality(value: str) -> float | None:
    try:
        quality = float(value)
    except ValueError:
        return None
    return quality if 0.0 <= quality <= 1.0 else None
