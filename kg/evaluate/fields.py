"""Per-field comparison rules between a gold event and a predicted report.

Every field is compared as a set of values: the gold event has none or one (a joint
attacker has one per actor), a report has none or more. A predicted value that agrees with
no gold value is a false positive; a gold value no predicted value agrees with is a false
negative. A field is *correct* on a matched pair when it has neither: the gold value is
found and no other, contradicting value is given; gold null and predicted null is correct.
Unmatched reports count all their values as false positives, unmatched gold events all
theirs as false negatives. Predicted values that agree with each other (two entities that
both resolve to Syria) count once.

Rules by field:

- ``type``: the class of the strike the report ``sk:describes`` (a generic ``sk:Strike``
  next to a specific class is ignored; any other extra class is a false positive).
- ``attacker``: by actor key (``kg.evaluate.actors``): a predicted attacker agrees when one
  of the keys of its label, altLabels and mention words equals the key of the gold
  ``attacker`` or ``attacker_text``. A joint attack ("Syrian government and Russia") has one
  gold value per actor, so it is correct only when every actor is given; end to end each
  actor found is a true positive, so giving one of two earns half the credit.
- ``target`` and ``attributed_to`` (free text in the gold): agree when the gazetteer knows
  both names as the same entity ("SOHR"), or when the gold text (or one of its ``and``
  conjuncts) and a predicted label or mention share the head noun or a Dice coefficient of
  at least 0.5 over content words ("army barracks" ~ "military barracks").
- ``location``: by GeoNames id when both sides have one (a wrong link is a wrong place), else
  by name: the gold name equals a label, altLabel or mention of the place, compared without
  accents, case, apostrophes, Arabic articles ("al-Safirah" ~ "Safirah") and place-kind
  words ("Homs city" ~ "Homs"); "province" and "Governorate" are the same word but are kept
  ("Idlib province" is not the city of Idlib).
- ``location_geonames``: only on events whose gold has an id; a predicted location with
  that ``skos:exactMatch`` agrees. Reports without a gold event are not counted here.
- ``country``: the ISO code of the state the strike hit: the ``gn:countryCode`` of the
  report's location, or of its ``sk:country`` when it names no finer place.
- ``date``: at the gold's precision: the predicted range, cut to the gold's precision at
  both ends, equals the gold date. A predicted day in the gold month agrees; a predicted
  month does not agree with a gold day.
- ``weapon``, ``status``: by concept ("barrel bomb" is ``sk:BarrelBomb``).
- ``outcome``: by concept; "unknown" (``sk:UnknownOutcome``) is no value, on both sides.
- ``killed``, ``injured``: exact numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kg.evaluate.actors import ActorResolver
from kg.evaluate.gold import GoldEvent
from kg.evaluate.predicted import DateValue, EntityValue, PredictedReport
from kg.evaluate.results import Counts
from kg.evaluate.text import conjuncts, place_key, similar_phrases

G = TypeVar("G")
P = TypeVar("P")
_WIDTH = {"Day": 10, "Month": 7, "Year": 4}
_UNKNOWN = "UnknownOutcome"


Judge = Callable[[GoldEvent | None, PredictedReport | None], Counts]


@dataclass(frozen=True)
class FieldRule:
    """One scored field.

    Attributes:
        name: as in the gold files (``location_geonames`` for the GeoNames link).
        judge: compares a gold event and a report; either side may be missing.
        applies: whether a gold event is scored on this field.
        counts_extra_reports: whether unmatched reports' values are false positives.
    """

    name: str
    judge: Judge
    applies: Callable[[GoldEvent], bool] = lambda event: True
    counts_extra_reports: bool = True


def tally(gold: Sequence[G], predicted: Sequence[P], agree: Callable[[G, P], bool]) -> Counts:
    """Count true positives, false positives and false negatives of one field.

    Example:
        >>> tally([2], [2, 3], lambda g, p: g == p)
        Counts(tp=1, fp=1, fn=0)
    """
    found = sum(1 for g in gold if any(agree(g, p) for p in predicted))
    extra = sum(1 for p in predicted if not any(agree(g, p) for g in gold))
    return Counts(found, extra, len(gold) - found)


def date_agrees(value: str, precision: str, predicted: DateValue) -> bool:
    """Whether a predicted date range agrees with a gold date at the gold's precision.

    Example:
        >>> import datetime as dt
        >>> day = DateValue(dt.date(2020, 1, 15), dt.date(2020, 1, 15), "Day")
        >>> date_agrees("2020-01", "Month", day), date_agrees("2020-01-14", "Day", day)
        (True, False)
        >>> month = DateValue(dt.date(2020, 1, 1), dt.date(2020, 1, 31), "Month")
        >>> date_agrees("2020-01", "Month", month), date_agrees("2020-01-15", "Day", month)
        (True, False)
    """
    width = _WIDTH[precision]
    low, high = predicted.earliest.isoformat()[:width], predicted.latest.isoformat()[:width]
    return low == high == value[:width]


class FieldJudges:
    """The comparison rules of every field, sharing one actor resolver."""

    def __init__(self, resolver: ActorResolver) -> None:
        self.resolver = resolver

    def rules(self) -> tuple[FieldRule, ...]:
        """Every scored field, in report order."""
        return (
            FieldRule("type", _plain(lambda e: e.type, lambda r: r.types)),
            FieldRule("attacker", self.attacker),
            FieldRule("target", self._free_text(lambda e: e.target, lambda r: r.targets)),
            FieldRule("location", self.location),
            FieldRule(
                "location_geonames",
                self.geonames,
                applies=lambda e: e.location_geonames is not None,
                counts_extra_reports=False,
            ),
            FieldRule("country", _plain(lambda e: e.country, _predicted_countries)),
            FieldRule("date", self.date),
            FieldRule("weapon", _plain(lambda e: e.weapon, lambda r: r.weapons)),
            FieldRule("outcome", _plain(_gold_outcome, _predicted_outcomes)),
            FieldRule("killed", _plain(lambda e: e.killed, lambda r: r.killed)),
            FieldRule("injured", _plain(lambda e: e.injured, lambda r: r.injured)),
            FieldRule(
                "attributed_to",
                self._free_text(lambda e: e.attributed_to, lambda r: r.attributed_to),
            ),
            FieldRule("status", _plain(lambda e: e.status, lambda r: r.statuses)),
        )

    def attacker(self, event: GoldEvent | None, report: PredictedReport | None) -> Counts:
        """Attackers by actor key; joint attacks need every actor (see the module doc)."""
        country = event.country if event else None
        predicted = _distinct(
            [self.resolver.keys(a.names(), country) for a in report.attackers] if report else []
        )
        options = self._gold_actors(event) if event else [[]]
        verdicts = [tally(members, predicted, _intersect) for members in options]
        return min(verdicts, key=lambda v: (v.fp + v.fn, -v.tp))

    def _gold_actors(self, event: GoldEvent) -> list[list[frozenset[str]]]:
        """Each alternative of the gold attacker as a list of members, each a key set."""
        if event.attacker is None:
            return [[]]
        country = event.country
        options = []
        for alternative in self.resolver.alternatives(event.attacker, country):
            members = [frozenset({key}) for key in sorted(alternative)]
            if len(members) == 1 and event.attacker_text:
                # The article's own words name the same actor: either key will do.
                members = [members[0] | self.resolver.keys([event.attacker_text], country)]
            options.append(members)
        return options

    def location(self, event: GoldEvent | None, report: PredictedReport | None) -> Counts:
        """Places by GeoNames id where both sides have one, else by name."""
        gold = [(event.location, event.location_geonames)] if event and event.location else []
        predicted = _distinct_entities(report.locations if report else ())

        def agree(g: tuple[str, int | None], p: EntityValue) -> bool:
            name, geonames = g
            if geonames is not None and p.geonames:
                return geonames in p.geonames
            return any(place_key(name) == place_key(n) for n in p.names())

        return tally(gold, predicted, agree)

    def geonames(self, event: GoldEvent | None, report: PredictedReport | None) -> Counts:
        """The GeoNames link of the location, where the gold has one."""
        gold = [event.location_geonames] if event and event.location_geonames else []
        linked = [p for p in (report.locations if report else ()) if p.geonames]
        return tally(gold, _distinct_entities(linked), lambda g, p: g in p.geonames)

    def date(self, event: GoldEvent | None, report: PredictedReport | None) -> Counts:
        """Dates at the gold's precision."""
        gold = [(event.date, event.precision)] if event and event.date and event.precision else []
        predicted = list(report.dates) if report else []
        return tally(gold, predicted, lambda g, p: date_agrees(g[0], g[1], p))

    def _free_text(
        self,
        gold_value: Callable[[GoldEvent], str | None],
        predicted_values: Callable[[PredictedReport], Sequence[EntityValue]],
    ) -> Judge:
        def judge(event: GoldEvent | None, report: PredictedReport | None) -> Counts:
            text = gold_value(event) if event else None
            gold = [text] if text else []
            predicted = _distinct_entities(predicted_values(report) if report else ())
            return tally(gold, predicted, lambda g, p: self.same_phrase(g, p.names()))

        return judge

    def same_phrase(self, gold: str, names: Sequence[str]) -> bool:
        """The free-text rule: same gazetteer entity, head noun, or most content words."""
        known = self.resolver.gazetteer.lookup(gold)
        for name in names:
            other = self.resolver.gazetteer.lookup(name)
            if known is not None and other is not None and known.key == other.key:
                return True
            if any(similar_phrases(part, name) for part in conjuncts(gold)):
                return True
        return False


def _plain(
    gold_value: Callable[[GoldEvent], Hashable | None],
    predicted_values: Callable[[PredictedReport], Sequence[Hashable]],
) -> Judge:
    """A judge for values compared by equality (concepts, numbers, class names)."""

    def judge(event: GoldEvent | None, report: PredictedReport | None) -> Counts:
        value = gold_value(event) if event else None
        gold = [value] if value is not None else []
        predicted = _distinct(list(predicted_values(report)) if report else [])
        return tally(gold, predicted, lambda g, p: g == p)

    return judge


def _gold_outcome(event: GoldEvent) -> str | None:
    return None if event.outcome == _UNKNOWN else event.outcome


def _predicted_countries(report: PredictedReport) -> list[str]:
    """Where the location lies, else the country the report names."""
    located = [p.country for p in report.locations if p.country]
    return located or [c.country for c in report.countries if c.country]


def _predicted_outcomes(report: PredictedReport) -> list[str]:
    return [o for o in report.outcomes if o != _UNKNOWN]


def _intersect(gold: frozenset[str], predicted: frozenset[str]) -> bool:
    return bool(gold & predicted)


def _distinct(values: Sequence[G]) -> list[G]:
    return list(dict.fromkeys(values))


def _distinct_entities(values: Sequence[EntityValue]) -> list[EntityValue]:
    return list({v.iri: v for v in values}.values())
