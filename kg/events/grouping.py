"""Sentences about the same strike become one report; distinct strikes stay apart.

A sentence's frame joins an earlier report of the article when nothing they say conflicts
(place, date, attacker, target) and something ties them: the same place, target or date, a
definite reference back ("the attack", "Tuesday's bombing"), or a follow-up sentence that
names no place, date or target of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from kg.events.attribution import combine_status
from kg.events.model import Argument, Report
from kg.linking.geonames import Place
from kg.timex import compatible


@dataclass(frozen=True)
class Frame:
    """One sentence's strike, before grouping.

    Attributes:
        anaphoric: the trigger refers back ("the attack", "Tuesday's bombing").
        distinct: the sentence announces another strike ("another", "a similar", "separately").
        follow_up: the sentence names no strike, only an outcome or toll: it joins the
            strike before it or nothing.
        place: where a follow-up's toll was taken ("30 were killed around the town of
            Shadadi"): the place of a strike whose own sentences name none.
    """

    report: Report
    anaphoric: bool = False
    distinct: bool = False
    follow_up: bool = False
    place: Argument | None = None


def group(
    frames: list[Frame],
    places: Mapping[str, Place] | None = None,
    sides: Mapping[str, str] | None = None,
) -> list[Report]:
    """Merge frames into reports, in reading order.

    Args:
        places: the GeoNames places of linked place keys: a town and the province it is in
            do not contradict each other, and the town is the more specific.
        sides: the country of each state and armed force named: "Russian jets" and
            "Russian forces" are one attacker.
    """
    places = places or {}
    sides = sides or {}
    reports: list[Report] = []
    for frame in frames:
        index = _home(frame, reports, places, sides)
        if index is None and frame.follow_up:
            continue
        if index is None:
            reports.append(frame.report)
        else:
            reports[index] = _placed(merge(reports[index], frame.report, places), frame.place)
    return reports


def _placed(report: Report, place: Argument | None) -> Report:
    """The report, placed where a follow-up's toll was taken if it names no place itself."""
    if report.location is not None or place is None:
        return report
    return replace(report, location=place)


def _home(
    frame: Frame, reports: list[Report], places: Mapping[str, Place], sides: Mapping[str, str]
) -> int | None:
    """The report a frame belongs to: one it refers back to or is tied to, else (an article
    being mostly about one strike) the latest it does not contradict; a frame that announces
    another strike joins only what it refers back to."""
    compatible = [
        i
        for i in range(len(reports) - 1, -1, -1)
        if not _conflict(reports[i], frame.report, places, sides)
    ]
    for index in compatible:
        if frame.anaphoric or (not frame.distinct and _tied(reports[index], frame.report)):
            return index
    if compatible and not frame.distinct:
        return compatible[0]
    return None


def _same(a: Argument | None, b: Argument | None) -> bool | None:
    """True/False when both are known, None when either is missing."""
    if a is None or b is None:
        return None
    if a.entity is not None and b.entity is not None:
        return a.entity == b.entity
    return _head(a.text) == _head(b.text)


def _head(text: str) -> str:
    words = text.lower().split()
    return words[-1].rstrip("s") if words else ""


def _different_sides(a: Argument | None, b: Argument | None, sides: Mapping[str, str]) -> bool:
    """Whether two attackers are different parties: not one name, nor one state and its
    forces."""
    if _same(a, b) is not False:
        return False
    side = sides.get(a.entity or "") if a else None
    return side is None or side != (sides.get(b.entity or "") if b else None)


def _nested(a: Argument | None, b: Argument | None, places: Mapping[str, Place]) -> bool:
    """Whether one place lies within the other (same first-level division, one of them the
    division itself or a city much larger than the other)."""
    first = places.get(a.entity or "") if a else None
    second = places.get(b.entity or "") if b else None
    if first is None or second is None or first.admin1_key != second.admin1_key:
        return False
    small, large = sorted((first, second), key=_population)
    return large.is_admin1 or _population(large) >= 10 * max(_population(small), 1)


def _population(place: Place) -> int:
    return 10**9 if place.is_admin1 else place.population


def _conflict(a: Report, b: Report, places: Mapping[str, Place], sides: Mapping[str, str]) -> bool:
    different_place = (
        _same(a.location, b.location) is False
        and not _same_toll(a, b)
        and not _nested(a.location, b.location, places)
        and not _refines(a, b, places)
        and not _within(a, b, places)
        and not _within(b, a, places)
    )
    if different_place or _different_sides(a.attacker, b.attacker, sides):
        return True
    if _same(a.target, b.target) is False and a.location is None and b.location is None:
        return True
    if a.date is not None and b.date is not None:
        left = a.date.resolved or a.date.partial
        right = b.date.resolved or b.date.partial
        return not compatible(left, right)
    return False


# A toll this high, told twice with the same weapon, is one strike told twice.
DISTINCT_TOLL = 10


def _same_toll(a: Report, b: Report) -> bool:
    """Whether two sentences give one distinctive toll of one weapon ("Damascus Car Bomb
    Kills 70" ... "A car bomb killed at least 70 people in the town of Rankus"): a headline
    and its story placing the strike at different scales."""
    return (
        a.killed is not None
        and a.killed == b.killed
        and a.killed >= DISTINCT_TOLL
        and a.weapon is not None
        and a.weapon is b.weapon
        and _adjacent(a, b)
    )


def _refines(a: Report, b: Report, places: Mapping[str, Place]) -> bool:
    """Whether the report so far puts the strike only near a place and the next sentence
    names a place that can be the exact one: a village GeoNames does not know, or one of
    the same province ("a clinic in a village near Aleppo" ... "the village of Khan
    Tuman"). Told the other way round, a place and then "near" another, they are two."""
    if not a.near or b.near or a.location is None or b.location is None:
        return False
    first = places.get(a.location.entity or "")
    second = places.get(b.location.entity or "")
    if first is None or second is None:
        return True
    return first.admin1_key == second.admin1_key


def _within(part: Report, whole: Report, places: Mapping[str, Place]) -> bool:
    """Whether ``part``'s sentence puts its place inside ``whole``'s ("Damascus" ... "the
    Damascus suburb of Jaramana")."""
    if part.within is None or whole.location is None:
        return False
    container = Argument(whole.location.span, whole.location.text, part.within)
    return part.within == whole.location.entity or _nested(container, whole.location, places)


def _tied(a: Report, b: Report) -> bool:
    if _same(a.location, b.location) or _same(a.target, b.target):
        return True
    # Nearby sentences about the same weapon ("the missiles were shot down").
    return a.weapon is not None and a.weapon is b.weapon and _adjacent(a, b)


def _adjacent(a: Report, b: Report) -> bool:
    return bool(a.sentences) and bool(b.sentences) and b.sentences[0] - a.sentences[-1] <= 2


def merge(a: Report, b: Report, places: Mapping[str, Place] | None = None) -> Report:
    """One report from two about the same strike: first-said values win, lowest tolls,
    the more specific of two nested places, an exact place over one the strike was near."""
    killed = _lowest(a.killed, a.killed_span, b.killed, b.killed_span)
    injured = _lowest(a.injured, a.injured_span, b.injured, b.injured_span)
    stated = {claim.outcome for claim in a.outcomes}
    outcomes = a.outcomes + tuple(c for c in b.outcomes if c.outcome not in stated)
    weapon, weapon_span = (a.weapon, a.weapon_span) if a.weapon else (b.weapon, b.weapon_span)
    location, near = _place(a, b, places or {})
    within = a.within if location is a.location else b.within
    return replace(
        a,
        sentences=tuple(sorted(set(a.sentences) | set(b.sentences))),
        kind=a.kind if a.weapon or not b.weapon else b.kind,
        attacker=a.attacker or b.attacker,
        target=a.target or b.target,
        target_kind=a.target_kind or b.target_kind,
        location=location,
        near=near,
        within=within,
        country=a.country or b.country,
        date=a.date or b.date,
        weapon=weapon,
        weapon_span=weapon_span,
        outcomes=outcomes,
        killed=killed[0],
        killed_span=killed[1],
        injured=injured[0],
        injured_span=injured[1],
        attributed_to=a.attributed_to or b.attributed_to,
        status=combine_status([a.status, b.status]),
        status_span=a.status_span or b.status_span,
        confidence=max(a.confidence, b.confidence),
    )


def _place(a: Report, b: Report, places: Mapping[str, Place]) -> tuple[Argument | None, bool]:
    """The merged report's place, and whether the strike was only near it."""
    if a.near and b.location is not None and not b.near:
        return b.location, False  # the exact place wins over "near X"
    if _within(b, a, places):
        return b.location, b.near  # a part of the town named first
    location = more_specific(a.location, b.location, places)
    if _same_toll(a, b) and not _nested(a.location, b.location, places):
        location = _smaller(a.location, b.location, places)
    return location, a.near if location is a.location else b.near


def _smaller(
    a: Argument | None, b: Argument | None, places: Mapping[str, Place]
) -> Argument | None:
    """Of two places, the one GeoNames knows as smaller (an unknown one is a village)."""
    if a is None or b is None:
        return a or b
    first, second = (places.get(p.entity or "") for p in (a, b))
    return b if (second.population if second else 0) < (first.population if first else 0) else a


def more_specific(
    a: Argument | None, b: Argument | None, places: Mapping[str, Place]
) -> Argument | None:
    """The smaller of two places one of which lies within the other, else the first given
    (or the one given)."""
    if a is None or b is None or not _nested(a, b, places):
        return a or b
    first, second = places[a.entity or ""], places[b.entity or ""]
    return a if _population(first) <= _population(second) else b


def _lowest(
    a: int | None, a_span: Argument | None, b: int | None, b_span: Argument | None
) -> tuple[int | None, Argument | None]:
    if a is None:
        return b, b_span
    if b is None or a <= b:
        return a, a_span
    return b, b_span
