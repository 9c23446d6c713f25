"""Agreement with the FA-KES crowd labels, which describe each article's main event.

An article's main report is the one whose evidence comes first in the text. Only rows of
articles the store holds are scored; each measure counts the rows where the crowd gives a
value and a main report exists. Names are compared exactly (after folding):

- location: the crowd's Location is the name (label, altLabel or mention) of the report's
  location, or of a place that contains it: its first-level division ("Aleppo" for a
  village of Aleppo Governorate, ``gn:parentADM1``) or its country ("Syria",
  ``gn:countryCode``, or the report's ``sk:country`` when it names no finer place); words
  like "Governorate" or "province" are left out on both sides, since the crowd writes
  "Hama" for both;
- actor: through the gazetteer, as attackers are (``kg.evaluate.actors``): the report's
  attackers are exactly the crowd's actors, or one of its alternatives ("Syrian or
  Russian"); bare government words are Syria's (FA-KES is about the Syrian war);
- date: the crowd's Date falls in the report's date range;
- casualties: the first number (digits or words) of Civilians plus that of NonCivilians
  equals the report's ``sk:killed``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from kg.evaluate.actors import ActorResolver
from kg.evaluate.fields import tally
from kg.evaluate.gold import CrowdRow
from kg.evaluate.predicted import PredictedReport
from kg.evaluate.text import parse_count, parse_crowd_date, place_key
from kg.gazetteer import load_gazetteer

CROWD_COUNTRY = "SY"
DATE_NOTE = (
    "crowd dates are mostly publication dates: date agreement says little about the strike's date"
)


@dataclass(frozen=True)
class CrowdAspect:
    """Agreement on one label: ``agree`` of ``n`` rows with a crowd value and a report."""

    name: str
    n: int
    agree: int

    @property
    def rate(self) -> float:
        """Share of the ``n`` rows that agree (0 when there are none)."""
        return self.agree / self.n if self.n else 0.0


@dataclass(frozen=True)
class CrowdScore:
    """Agreement with the crowd over the articles the store holds.

    Attributes:
        rows: crowd rows whose article the store holds.
        absent: crowd rows of articles the store does not hold (not scored).
        with_report: rows whose article has a main report.
        aspects: location, actor, date and casualty agreement.
        note: how to read the date agreement.
    """

    rows: int
    absent: int
    with_report: int
    aspects: tuple[CrowdAspect, ...]
    note: str = DATE_NOTE

    @property
    def coverage(self) -> float:
        """Share of crowd rows with a main report."""
        return self.with_report / self.rows if self.rows else 0.0

    def aspect(self, name: str) -> CrowdAspect:
        """One aspect by name (``location``, ``actor``, ``date``, ``casualties``)."""
        return next(a for a in self.aspects if a.name == name)


Check = Callable[[CrowdRow, PredictedReport], bool | None]


def score_crowd(
    rows: Sequence[CrowdRow],
    present: Collection[str],
    reports: Mapping[str, Sequence[PredictedReport]],
    resolver: ActorResolver,
) -> CrowdScore:
    """Compare each present article's main report with its crowd row.

    Args:
        rows: the crowd labels.
        present: ids of the articles the store holds.
        reports: each article's reports.
        resolver: resolves actor names.
    """
    scored = [row for row in rows if row.doc_id in present]
    mains = {row.doc_id: main_report(reports.get(row.doc_id, ())) for row in scored}
    checks: dict[str, Check] = {
        "location": location_agrees,
        "actor": lambda row, report: actor_agrees(row, report, resolver),
        "date": date_agrees,
        "casualties": casualties_agree,
    }
    aspects = []
    for name, check in checks.items():
        verdicts = [
            verdict
            for row in scored
            if (report := mains[row.doc_id]) is not None
            and (verdict := check(row, report)) is not None
        ]
        aspects.append(CrowdAspect(name, len(verdicts), sum(verdicts)))
    with_report = sum(1 for report in mains.values() if report is not None)
    return CrowdScore(len(scored), len(rows) - len(scored), with_report, tuple(aspects))


def main_report(reports: Sequence[PredictedReport]) -> PredictedReport | None:
    """The report whose evidence comes first in the article (``None`` if there is none)."""
    return min(reports, key=lambda r: (r.first_offset, r.iri), default=None)


def location_agrees(row: CrowdRow, report: PredictedReport) -> bool | None:
    """Crowd Location vs the report's place, its first-level division or its country, by
    exact name (``None``: no label).

    Example:
        >>> from kg.evaluate.predicted import EntityValue
        >>> place = EntityValue("x", ("al-Safira",), admin1=("Aleppo Governorate",), country="SY")
        >>> report = PredictedReport("r", "d", ((0, 5),), locations=(place,))
        >>> [location_agrees(CrowdRow("d", label, *[None] * 7), report)
        ...  for label in ("Aleppo", "Syria", "Northern Syria", "Idlib")]
        [True, True, False, False]
    """
    if row.location is None:
        return None
    crowd = place_key(row.location, strip_admin=True)
    for place in (*report.locations, *report.countries):
        names = (*place.names(), *place.admin1, *country_names(place.country))
        if crowd in {place_key(n, strip_admin=True) for n in names}:
            return True
    return False


@cache
def country_names(iso: str | None) -> tuple[str, ...]:
    """The names of a country in the curated gazetteer ("Syria", "Syrian Arab Republic")."""
    if iso is None:
        return ()
    return tuple(
        name
        for entity in load_gazetteer().entities
        if entity.kind == "State" and entity.country == iso
        for name in (entity.name, *entity.aliases)
    )


def actor_agrees(row: CrowdRow, report: PredictedReport, resolver: ActorResolver) -> bool | None:
    """Crowd Actor vs the report's attackers, by actor key (``None``: no label)."""
    if row.actor is None:
        return None
    predicted = list(
        dict.fromkeys(resolver.keys(a.names(), CROWD_COUNTRY) for a in report.attackers)
    )
    for alternative in resolver.alternatives(row.actor, CROWD_COUNTRY):
        members = [frozenset({key}) for key in sorted(alternative)]
        if tally(members, predicted, lambda g, p: bool(g & p)).correct:
            return True
    return False


def date_agrees(row: CrowdRow, report: PredictedReport) -> bool | None:
    """Crowd Date within the report's date range (``None``: no label or unreadable)."""
    day = parse_crowd_date(row.date)
    if day is None:
        return None
    return any(_within(day, d.earliest, d.latest) for d in report.dates)


def casualties_agree(row: CrowdRow, report: PredictedReport) -> bool | None:
    """Civilians plus NonCivilians vs ``sk:killed`` (``None``: the crowd gives no number)."""
    counts = [parse_count(row.civilians), parse_count(row.non_civilians)]
    if all(c is None for c in counts):
        return None
    return sum(c or 0 for c in counts) in report.killed


def _within(day: datetime.date, low: datetime.date, high: datetime.date) -> bool:
    return low <= day <= high
