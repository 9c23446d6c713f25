"""What the HTML pages show, read from the graph: a resource's statements, a strike with its
reports and their evidence in the article text, and every strike on a timeline and a map.

Flask-free: each reader takes a ``Select`` (a SPARQL SELECT runner, e.g.
``functools.partial(select_rows, engine)``), so any store can back it. IRIs put into a query
come from request paths, so callers check them with ``is_iri`` first.
"""

from __future__ import annotations

import datetime
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from kg.store import Term, values_blocks
from kg.vocab import NIF, PROV, RDF, RDFS, SCHEMA, SK, WGS, curie

Select = Callable[[str], list[dict[str, Term]]]

# Characters an IRIREF may not contain (SPARQL 1.1, production 139), controls and space too.
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*$')
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")

# Incoming statements shown on a page; a hub (a country mentioned everywhere) has thousands.
INCOMING_LIMIT = 500

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


# -- IRIs -------------------------------------------------------------------------------------


def is_iri(value: str) -> bool:
    """Whether ``value`` can be written as ``<value>`` in a query: an absolute IRI with none
    of the characters that would end it.

    Example:
        >>> is_iri("https://w3id.org/strike-kg/id/strike/1"), is_iri("https://x.org/a>b")
        (True, False)
    """
    return bool(_IRI.match(value))


def iri_from_uri(text: str) -> str:
    """Undo a browser's percent-encoding of non-ASCII characters (RFC 3987, 3.2), leaving
    ASCII escapes such as ``%2F`` as they are, since minted IRIs contain those.

    Example:
        >>> iri_from_uri("caf%C3%A9%2Fbar")
        'café%2Fbar'
    """

    def decode(match: re.Match[str]) -> str:
        try:
            return unquote_to_bytes(match[0]).decode("utf-8")
        except UnicodeDecodeError:
            return match[0]

    return _NON_ASCII_ESCAPES.sub(decode, text)


def local_name(iri: str) -> str:
    """The last segment of an IRI, after its ``#`` or last ``/``.

    Example:
        >>> local_name("https://w3id.org/strike-kg/ontology#attacker")
        'attacker'
    """
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def fetch_labels(select: Select, iris: Iterable[str]) -> dict[str, str]:
    """The ``rdfs:label`` of each IRI that has one (an English or untagged one first)."""
    wanted = {iri for iri in iris if is_iri(iri)}
    ranked: dict[str, tuple[int, str]] = {}
    for block in values_blocks("x", wanted):
        for row in select(f"SELECT ?x ?label WHERE {{ {block} ?x <{RDFS.label}> ?label }}"):
            label = row["label"]
            rank = 0 if label.language in (None, "en") else 1
            key = (rank, label.value)
            iri = row["x"].value
            if iri not in ranked or key < ranked[iri]:
                ranked[iri] = key
    return {iri: value for iri, (_, value) in ranked.items()}


# -- What the graph says about one resource ---------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One triple seen from the described resource: its predicate and the node at the other
    end (the object of an outgoing triple, the subject of an incoming one)."""

    predicate: str
    node: Term


@dataclass(frozen=True)
class Description:
    """Every triple with the resource as subject, those with it as object (up to a limit),
    and the labels of every IRI they name."""

    iri: str
    outgoing: tuple[Statement, ...]
    incoming: tuple[Statement, ...]
    more_incoming: bool
    labels: Mapping[str, str]

    @property
    def is_empty(self) -> bool:
        """Whether the graph says nothing about the resource."""
        return not self.outgoing and not self.incoming

    @property
    def label(self) -> str | None:
        """The resource's own label."""
        return self.labels.get(self.iri)

    def values(self, predicate: str) -> list[Term]:
        """The objects of the resource's ``predicate`` triples."""
        return [s.node for s in self.outgoing if s.predicate == predicate]

    def first(self, predicate: str) -> Term | None:
        """One object of ``predicate``, or ``None``."""
        values = self.values(predicate)
        return values[0] if values else None

    def has_type(self, cls: str) -> bool:
        """Whether the resource is stated to be of class ``cls``."""
        return any(value.value == cls for value in self.values(str(RDF.type)))


def describe(select: Select, iri: str, incoming_limit: int = INCOMING_LIMIT) -> Description:
    """What the union of all graphs says about ``iri`` (an IRI checked with ``is_iri``)."""
    outgoing = tuple(
        Statement(row["p"].value, row["o"])
        for row in select(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o")
    )
    incoming_rows = select(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?p ?s LIMIT {incoming_limit + 1}"
    )
    incoming = tuple(Statement(row["p"].value, row["s"]) for row in incoming_rows[:incoming_limit])
    named = {iri} | {s.predicate for s in outgoing + incoming}
    named |= {s.node.value for s in outgoing + incoming if s.node.kind == "iri"}
    return Description(
        iri, outgoing, incoming, len(incoming_rows) > incoming_limit, fetch_labels(select, named)
    )


def group_by_predicate(statements: Iterable[Statement]) -> list[tuple[str, list[Term]]]:
    """Statements as (predicate, nodes) pairs: ``rdf:type`` and ``rdfs:label`` first, then
    by prefixed name.

    Example:
        >>> pairs = group_by_predicate([Statement("urn:p", Term("literal", "a"))])
        >>> [(p, [n.value for n in nodes]) for p, nodes in pairs]
        [('urn:p', ['a'])]
    """
    grouped: dict[str, list[Term]] = {}
    for statement in statements:
        grouped.setdefault(statement.predicate, []).append(statement.node)
    first = {str(RDF.type): 0, str(RDFS.label): 1}
    order = sorted(grouped, key=lambda p: (first.get(p, 2), curie(p)))
    return [(predicate, grouped[predicate]) for predicate in order]


# -- Article text with its evidence marked ----------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of article text whose marking does not change inside it.

    Attributes:
        text: the characters, unescaped (templates escape them).
        evidence: whether the run lies in an evidence sentence.
        roles: the argument roles of the mentions covering the run.
        closes: the roles of the mentions that end with the run (their tag follows it).
        anchors: fragment ids (``char=b,e``) of the offset strings starting with the run,
            so that a link to ``{doc}#char=b,e`` scrolls to it.
    """

    text: str
    evidence: bool = False
    roles: tuple[str, ...] = ()
    closes: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """Characters ``begin`` to ``end`` of an article, the evidence of one argument."""

    begin: int
    end: int
    role: str
    anchor: str = ""


def highlight(
    text: str,
    sentences: Iterable[tuple[int, int]],
    mentions: Iterable[Mention],
    anchors: Iterable[tuple[int, int]] = (),
) -> list[Segment]:
    """Cut ``text`` at every sentence, mention and anchor boundary (offsets in code points,
    as the graph counts them) into segments that say what covers them.

    Offsets outside the text are clipped, empty spans dropped, so bad data cannot break
    a page.

    Example:
        >>> [(s.text, s.evidence, s.roles) for s in highlight("Jets hit Homs.", [(0, 14)],
        ...     [Mention(9, 13, "location")])]
        [('Jets hit ', True, ()), ('Homs', True, ('location',)), ('.', True, ())]
    """
    size = len(text)

    def clip(begin: int, end: int) -> tuple[int, int]:
        return max(0, min(begin, size)), max(0, min(end, size))

    spans = [clip(b, e) for b, e in sentences]
    spans = [(b, e) for b, e in spans if b < e]
    marks = [(*clip(m.begin, m.end), m.role) for m in mentions]
    marks = [(b, e, role) for b, e, role in marks if b < e]
    starts: dict[int, list[str]] = {}
    for b, e in sorted(set(anchors)):
        if 0 <= b < e <= size:
            starts.setdefault(b, []).append(f"char={b},{e}")
    cuts = {0, size, *starts} | {x for span in spans for x in span}
    cuts |= {x for b, e, _ in marks for x in (b, e)}
    ordered = sorted(cuts)
    return [
        Segment(
            text[begin:end],
            evidence=any(b <= begin and end <= e for b, e in spans),
            roles=tuple(role for b, e, role in marks if b <= begin and end <= e),
            closes=tuple(role for b, e, role in marks if e == end),
            anchors=tuple(starts.get(begin, ())),
        )
        for begin, end in itertools.pairwise(ordered)
    ]


# -- A strike and its reports -----------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """The article a report comes from."""

    iri: str
    text: str
    headline: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Report:
    """What one article says about a strike, and where in its text it says so."""

    description: Description
    article: Article | None
    sentences: tuple[tuple[int, int], ...]
    mentions: tuple[Mention, ...]

    @property
    def segments(self) -> list[Segment]:
        """The article's text cut into marked segments (empty without an article)."""
        if self.article is None:
            return []
        return highlight(self.article.text, self.sentences, self.mentions)


@dataclass(frozen=True)
class StrikeView:
    """A merged strike and the reports it was merged from."""

    description: Description
    reports: tuple[Report, ...]


def read_article(select: Select, iri: str) -> Article | None:
    """The article ``iri`` with its text, or ``None`` if the graph holds no text for it."""
    rows = select(
        f"""SELECT ?text ?headline ?publisher ?published ?url WHERE {{
          <{iri}> <{NIF.isString}> ?text .
          OPTIONAL {{ <{iri}> <{SCHEMA.headline}> ?headline }}
          OPTIONAL {{ <{iri}> <{SCHEMA.publisher}> ?publisher }}
          OPTIONAL {{ <{iri}> <{SCHEMA.datePublished}> ?published }}
          OPTIONAL {{ <{iri}> <{SCHEMA.url}> ?url }}
        }} LIMIT 1"""
    )
    if not rows:
        return None
    row = rows[0]

    def text_of(name: str) -> str | None:
        term = row.get(name)
        return term.value if term is not None else None

    return Article(
        iri,
        row["text"].value,
        headline=text_of("headline"),
        publisher=text_of("publisher"),
        published=text_of("published"),
        url=text_of("url"),
    )


def read_report(select: Select, iri: str) -> Report:
    """A report, its article, its evidence sentences and its arguments' mentions."""
    description = describe(select, iri)
    document = description.first(str(SK.document))
    article = read_article(select, document.value) if document is not None else None
    sentences = tuple(
        (int(row["b"].value), int(row["e"].value))
        for row in select(
            f"""SELECT DISTINCT ?b ?e WHERE {{ <{iri}> <{PROV.wasDerivedFrom}> ?s .
              ?s <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e }} ORDER BY ?b"""
        )
    )
    rows = select(
        f"""SELECT DISTINCT ?role ?b ?e ?anchor WHERE {{
          <{iri}> <{SK.evidence}> ?evidence . ?evidence <{SK.role}> ?role ; <{SK.mention}> ?m .
          ?m <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e .
          OPTIONAL {{ ?m <{NIF.anchorOf}> ?anchor }}
        }} ORDER BY ?b ?role"""
    )
    roles = fetch_labels(select, {row["role"].value for row in rows})
    mentions = tuple(
        Mention(
            int(row["b"].value),
            int(row["e"].value),
            roles.get(row["role"].value) or local_name(row["role"].value),
            row["anchor"].value if "anchor" in row else "",
        )
        for row in rows
    )
    return Report(description, article, sentences, mentions)


@dataclass(frozen=True)
class DocumentView:
    """An article with the evidence of all its reports marked, and an anchor at each of its
    sentences and mentions."""

    article: Article
    reports: tuple[Report, ...]
    anchors: tuple[tuple[int, int], ...]

    @property
    def segments(self) -> list[Segment]:
        """The article's text cut into marked, anchored segments."""
        sentences = [span for report in self.reports for span in report.sentences]
        mentions = [mention for report in self.reports for mention in report.mentions]
        return highlight(self.article.text, sentences, mentions, self.anchors)


def read_document(select: Select, iri: str) -> DocumentView | None:
    """The article ``iri`` with its reports, or ``None`` if it is no article with text."""
    article = read_article(select, iri)
    if article is None:
        return None
    reports = select(f"SELECT DISTINCT ?r WHERE {{ ?r <{SK.document}> <{iri}> }} ORDER BY ?r")
    anchors = select(
        f"""SELECT DISTINCT ?b ?e WHERE {{ ?s <{NIF.referenceContext}> <{iri}> ;
          <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e }}"""
    )
    return DocumentView(
        article,
        tuple(read_report(select, row["r"].value) for row in reports if row["r"].kind == "iri"),
        tuple((int(row["b"].value), int(row["e"].value)) for row in anchors),
    )


def read_strike(select: Select, description: Description) -> StrikeView:
    """The strike ``description`` describes, with each of its reports read in full."""
    reports = sorted(v.value for v in description.values(str(SK.report)) if v.kind == "iri")
    return StrikeView(description, tuple(read_report(select, iri) for iri in reports))


# -- Every strike: the timeline and the map ---------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A place with coordinates."""

    iri: str
    name: str
    lat: float
    long: float


@dataclass(frozen=True)
class StrikeSummary:
    """What the overview shows of a strike."""

    iri: str
    label: str
    first_day: datetime.date | None
    last_day: datetime.date | None
    reports: int
    places: tuple[Place, ...] = ()

    @property
    def when(self) -> str:
        """The day, or the range of days, as text."""
        if self.first_day is None or self.last_day is None:
            return ""
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"


def _day(term: Term | None) -> datetime.date | None:
    if term is None:
        return None
    try:
        return datetime.date.fromisoformat(term.value[:10])
    except ValueError:
        return None


def read_strikes(select: Select) -> list[StrikeSummary]:
    """Every strike with its dates, report count and located places, by date then label."""
    rows = select(
        f"""SELECT ?strike (SAMPLE(?l) AS ?label) (MIN(?day) AS ?first) (MAX(?day) AS ?last)
                  (COUNT(DISTINCT ?report) AS ?reports) WHERE {{
          ?strike a <{SK.Strike}> .
          OPTIONAL {{ ?strike <{RDFS.label}> ?l }}
          OPTIONAL {{ ?strike <{SK.date}>|<{SK.earliestDate}>|<{SK.latestDate}> ?day
                     FILTER(DATATYPE(?day) = <{XSD_DATE}>) }}
          OPTIONAL {{ ?strike <{SK.report}> ?report }}
        }} GROUP BY ?strike"""
    )
    places = _strike_places(select)
    strikes = [
        StrikeSummary(
            iri=row["strike"].value,
            label=row["label"].value if "label" in row else local_name(row["strike"].value),
            first_day=_day(row.get("first")),
            last_day=_day(row.get("last")),
            reports=int(row["reports"].value),
            places=tuple(places.get(row["strike"].value, ())),
        )
        for row in rows
        if row["strike"].kind == "iri"
    ]
    return sorted(strikes, key=lambda s: (s.first_day or datetime.date.max, s.label, s.iri))


def _strike_places(select: Select) -> dict[str, list[Place]]:
    # A strike is drawn where it hit: its location, else (no located location) a target
    # with coordinates of its own, such as a facility.
    rows = select(
        f"""SELECT DISTINCT ?strike ?place ?name ?lat ?long WHERE {{
          ?strike a <{SK.Strike}> .
          {{ ?strike <{SK.location}> ?place . ?place <{WGS.lat}> ?lat ; <{WGS.long}> ?long }}
          UNION
          {{ ?strike <{SK.target}> ?place . ?place <{WGS.lat}> ?lat ; <{WGS.long}> ?long .
             FILTER NOT EXISTS {{ ?strike <{SK.location}>/<{WGS.lat}> ?any }} }}
          OPTIONAL {{ ?place <{RDFS.label}> ?name }}
        }} ORDER BY ?strike ?place"""
    )
    places: dict[str, list[Place]] = {}
    for row in rows:
        try:
            lat, long = float(row["lat"].value), float(row["long"].value)
        except ValueError:
            continue
        if not (-90 <= lat <= 90 and -180 <= long <= 180):
            continue
        iri = row["place"].value
        name = row["name"].value if "name" in row else local_name(iri)
        found = places.setdefault(row["strike"].value, [])
        if all(p.iri != iri for p in found):
            found.append(Place(iri, name, lat, long))
    return places


@dataclass(frozen=True)
class Mark:
    """A strike drawn as a dot at ``x``, ``y``; on the timeline, ``span`` is the horizontal
    extent of its range of days (``(0, 0)`` for a single day)."""

    strike: StrikeSummary
    x: float
    y: float
    radius: float
    span: tuple[float, float] = (0.0, 0.0)
    place: Place | None = None


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis: a date on the timeline, a meridian (vertical) or a
    parallel (horizontal) on the map, labelled in degrees."""

    position: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """Dated strikes as stacked dots in columns along a time axis (a histogram whose every
    dot is a strike), in SVG user units.

    Attributes:
        outside: dated strikes far from all the others (a misread year), left out of the
            axis so that they do not squeeze the rest into one column.
    """

    width: float
    height: float
    axis_y: float
    marks: tuple[Mark, ...] = ()
    ticks: tuple[Tick, ...] = ()
    undated: tuple[StrikeSummary, ...] = ()
    outside: tuple[StrikeSummary, ...] = ()


# Layout, in SVG user units.
_MARGIN = 24.0
_COLUMN = 9.0
_STEP = 9.0
_AXIS_SPACE = 28.0
# Below this many marks every one is drawn; above it, outliers may be left out.
_ROBUST_FROM = 20


def robust_range(values: Sequence[float], minimum_span: float) -> tuple[float, float]:
    """The range to draw ``values`` in: all of them, except (from 20 values on) those
    farther from the middle 90 % than its own width (at least ``minimum_span``).

    Example:
        >>> robust_range([1.0, 2.0, 3.0], 1.0)
        (1.0, 3.0)
        >>> robust_range([0.0] * 30 + [1.0] * 30 + [1000.0], 1.0)
        (0.0, 1.0)
    """
    ordered = sorted(values)
    if len(ordered) < _ROBUST_FROM:
        return ordered[0], ordered[-1]
    low = ordered[int(0.05 * (len(ordered) - 1))]
    high = ordered[int(0.95 * (len(ordered) - 1))]
    span = max(high - low, minimum_span)
    inside = [v for v in ordered if low - span <= v <= high + span]
    return inside[0], inside[-1]


def timeline(
    strikes: Sequence[StrikeSummary], width: float = 960.0, max_height: float = 240.0
) -> Timeline:
    """Lay the dated strikes on a time axis: each in the column of the middle of its range of
    days, stacked in date order, the stacks squeezed to fit ``max_height``."""
    dated = [
        (s, s.first_day.toordinal(), s.last_day.toordinal())
        for s in strikes
        if s.first_day is not None and s.last_day is not None
    ]
    undated = tuple(s for s in strikes if s.first_day is None or s.last_day is None)
    if not dated:
        return Timeline(width, _AXIS_SPACE, 0.0, undated=undated)
    low, high = robust_range([(first + last) / 2 for _, first, last in dated], 30.0)
    shown = [(s, first, last) for s, first, last in dated if low <= (first + last) / 2 <= high]
    outside = tuple(s for s, first, last in dated if not low <= (first + last) / 2 <= high)
    start = min(first for _, first, _ in shown)
    end = max(last for _, _, last in shown)
    pad = max(2, (end - start) // 40)
    start, end = start - pad, end + pad
    scale = (width - 2 * _MARGIN) / (end - start)

    def x_of(day: float) -> float:
        return _MARGIN + (day - start) * scale

    columns: dict[int, list[tuple[StrikeSummary, int, int]]] = {}
    for entry in sorted(shown, key=lambda e: (e[1], e[2], e[0].iri)):
        middle = x_of((entry[1] + entry[2]) / 2)
        columns.setdefault(int((middle - _MARGIN) // _COLUMN), []).append(entry)
    tallest = max(len(stack) for stack in columns.values())
    step = min(_STEP, max_height / tallest)
    radius = max(2.0, min(4.0, step / 2))
    axis_y = _MARGIN / 2 + tallest * step
    marks = tuple(
        Mark(
            strike,
            round(_MARGIN + (column + 0.5) * _COLUMN, 1),
            round(axis_y - (level + 0.5) * step, 1),
            radius,
            span=(round(x_of(first), 1), round(x_of(last + 1), 1)) if last > first else (0.0, 0.0),
        )
        for column, stack in sorted(columns.items())
        for level, (strike, first, last) in enumerate(stack)
    )
    days = datetime.date.fromordinal(start), datetime.date.fromordinal(end)
    ticks = tuple(Tick(round(x_of(day.toordinal()), 1), label) for day, label in _date_ticks(*days))
    return Timeline(width, axis_y + _AXIS_SPACE, axis_y, marks, ticks, undated, outside)


def _date_ticks(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """At most about ten round dates strictly between ``start`` and ``end``: days, first days
    of months, or first days of years, whichever fits the span."""
    days = (end - start).days
    months = days / 30.44
    if days <= 45:
        step = next(s for s in (1, 2, 7, 14, 30) if days / s <= 10)
        ticks = [start + datetime.timedelta(days=n) for n in range(1, days, step)]
        return [(day, day.isoformat()) for day in ticks]
    if months <= 120:
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 10)
        firsts = (_add_months(start.replace(day=1), n) for n in range(1, int(months) + 2))
        return [
            (day, day.strftime("%b %Y"))
            for day in firsts
            if day < end and (day.month - 1) % step == 0
        ]
    step = next((s for s in (1, 2, 5, 10, 20, 50) if months / 12 / s <= 10), 100)
    years = range(start.year + 1, end.year + 1)
    return [(datetime.date(year, 1, 1), str(year)) for year in years if year % step == 0]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class PlaceLabel:
    """A place and how many strikes hit it; ``x``, ``y`` is where its name is drawn."""

    place: Place
    count: int
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class StrikeMap:
    """Located strikes on a plain longitude/latitude projection, in SVG user units.

    Attributes:
        labels: the names drawn (the busiest places whose names do not collide).
        outside: places far from all the others (often a misread name), left out of the
            drawing so that they do not shrink the rest to a point.
    """

    width: float
    height: float
    marks: tuple[Mark, ...] = ()
    meridians: tuple[Tick, ...] = ()
    parallels: tuple[Tick, ...] = ()
    labels: tuple[PlaceLabel, ...] = ()
    unlocated: tuple[StrikeSummary, ...] = ()
    outside: tuple[PlaceLabel, ...] = ()


_GRID_STEPS = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 15.0, 30.0)
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
# The widest cluster of one place's strikes, and the most place names drawn.
_CLUSTER_RADIUS = 28.0
_MAX_LABELS = 16


def strike_map(
    strikes: Sequence[StrikeSummary], width: float = 960.0, max_height: float = 520.0
) -> StrikeMap:
    """Place each strike's dot at its places on an equirectangular projection scaled at the
    middle latitude (shapes keep their proportions near it), with a graticule. The strikes of
    one place form a sunflower around it, whose size tells their number."""
    groups: dict[str, list[StrikeSummary]] = {}
    places: dict[str, Place] = {}
    for strike in strikes:
        for place in strike.places:
            groups.setdefault(place.iri, []).append(strike)
            places[place.iri] = place
    unlocated = tuple(s for s in strikes if not s.places)
    if not groups:
        return StrikeMap(width, 0.0, unlocated=unlocated)
    weighted = [places[iri] for iri, group in groups.items() for _ in group]
    south, north = robust_range([p.lat for p in weighted], 4.0)
    west, east = robust_range([p.long for p in weighted], 4.0)

    def inside(place: Place) -> bool:
        return south <= place.lat <= north and west <= place.long <= east

    outside = tuple(
        PlaceLabel(places[iri], len(group))
        for iri, group in sorted(groups.items(), key=lambda item: -len(item[1]))
        if not inside(places[iri])
    )
    stretch = max(math.cos(math.radians((south + north) / 2)), 0.1)
    pad = max(north - south, (east - west) * stretch, 1.0) * 0.12
    south, north = south - pad, north + pad
    west, east = west - pad / stretch, east + pad / stretch
    scale = min((width - 2 * _MARGIN) / ((east - west) * stretch), max_height / (north - south))
    height = (north - south) * scale
    x_offset = (width - (east - west) * stretch * scale) / 2

    def project(lat: float, long: float) -> tuple[float, float]:
        return x_offset + (long - west) * stretch * scale, (north - lat) * scale

    marks: list[Mark] = []
    drawn: list[PlaceLabel] = []
    for iri, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        place = places[iri]
        if not inside(place):
            continue
        x, y = project(place.lat, place.long)
        spacing = min(6.0, _CLUSTER_RADIUS / math.sqrt(len(group)))
        radius = max(2.0, min(4.5, spacing * 0.75))
        for index, strike in enumerate(group):
            distance, angle = spacing * math.sqrt(index), index * _GOLDEN_ANGLE
            marks.append(
                Mark(
                    strike,
                    round(x + distance * math.cos(angle), 1),
                    round(y + distance * math.sin(angle), 1),
                    radius,
                    place=place,
                )
            )
        drawn.append(
            PlaceLabel(
                place,
                len(group),
                round(x + spacing * math.sqrt(len(group)) + 6, 1),
                round(y + 4, 1),
            )
        )
    step = next((s for s in _GRID_STEPS if (north - south) / s <= 8), 30.0)
    meridians = tuple(
        Tick(round(project(0.0, long)[0], 1), _degrees(long, "E", "W"))
        for long in _multiples(west, east, step)
    )
    parallels = tuple(
        Tick(round(project(lat, west)[1], 1), _degrees(lat, "N", "S"))
        for lat in _multiples(south, north, step)
    )
    return StrikeMap(
        width,
        round(height, 1),
        tuple(marks),
        meridians,
        parallels,
        _uncrowded(drawn),
        unlocated,
        outside,
    )


def _uncrowded(labels: Sequence[PlaceLabel]) -> tuple[PlaceLabel, ...]:
    """The busiest places' labels that do not overlap one drawn before (text boxes guessed
    from the name's length at the labels' 12-unit font)."""
    kept: list[tuple[PlaceLabel, tuple[float, float, float, float]]] = []
    for label in labels:
        text = f"{label.place.name} ({label.count})" if label.count > 1 else label.place.name
        box = (label.x, label.y - 12, label.x + 7 * len(text), label.y + 3)
        if all(_disjoint(box, other) for _, other in kept):
            kept.append((label, box))
        if len(kept) == _MAX_LABELS:
            break
    return tuple(label for label, _ in kept)


def _disjoint(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def _multiples(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step)
    return [round(n * step, 6) for n in range(first, math.floor(high / step) + 1)]


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    return f"{abs(value):g}°{hemisphere}"
