"""The numbers an evaluation produces, as frozen plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # crowd scoring builds on the counts defined here
    from kg.evaluate.crowd import CrowdScore


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, with the measures they give.

    Example:
        >>> c = Counts(6, 1, 3)
        >>> round(c.precision, 3), round(c.recall, 3), c.f1
        (0.857, 0.667, 0.75)
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 0 when the gold has nothing."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def correct(self) -> bool:
        """Nothing missed, nothing wrong: on one pair, the field is right (or empty on both
        sides)."""
        return self.fp == 0 and self.fn == 0

    @property
    def f1(self) -> float:
        """2tp / (2tp + fp + fn); 0 when all three are 0."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 0.0


@dataclass(frozen=True)
class EvidenceCounts:
    """How the gold evidence strings of the articles the store holds were located."""

    exact: int = 0
    fuzzy: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        """Every evidence string looked for."""
        return self.exact + self.fuzzy + self.missing


@dataclass(frozen=True)
class EventScore:
    """Event detection: gold events matched with reports by evidence overlap.

    Attributes:
        counts: matched pairs (tp), unmatched reports (fp), unmatched gold events (fn).
        gold_docs: articles in the gold files.
        missing_docs: gold articles the store does not hold (their events are misses).
        gold_events: events in the gold files.
        reports: reports of the gold articles.
        evidence: gold evidence strings found exactly, fuzzily or not at all.
    """

    counts: Counts
    gold_docs: int
    missing_docs: tuple[str, ...]
    gold_events: int
    reports: int
    evidence: EvidenceCounts


@dataclass(frozen=True)
class FieldScore:
    """One field: accuracy on matched pairs and end-to-end counts.

    Attributes:
        name: the field, as named in the gold files.
        n: matched pairs the field is scored on.
        correct: pairs where the field is correct.
        counts: end-to-end counts over all gold events and reports.
    """

    name: str
    n: int
    correct: int
    counts: Counts

    @property
    def accuracy(self) -> float:
        """correct / n (0 when no pair is scored)."""
        return self.correct / self.n if self.n else 0.0


@dataclass(frozen=True)
class MatchedPair:
    """A gold event and the report matched with it, with the fields it got wrong."""

    doc_id: str
    event: int
    report: str
    overlap: int
    wrong: tuple[str, ...]


@dataclass(frozen=True)
class PlaceScore:
    """Place detection (distinct names per article) and linking of the places found.

    Attributes:
        docs: articles scored (their gold lists entities).
        detection: found gold places (tp), mentioned names no gold place has (fp), gold
            places not found (fn).
        with_id: found gold places with a GeoNames id in the gold.
        linked: of those, the ones the extractor linked to some GeoNames place.
        correct: of those, the ones linked to the gold's id.
    """

    docs: int
    detection: Counts
    with_id: int
    linked: int
    correct: int

    @property
    def accuracy(self) -> float:
        """correct / linked: how often a link the extractor made is right."""
        return self.correct / self.linked if self.linked else 0.0

    @property
    def coverage(self) -> float:
        """linked / with_id: how often the extractor links a place the gold can link."""
        return self.linked / self.with_id if self.with_id else 0.0


@dataclass(frozen=True)
class EvaluationResult:
    """Everything ``kg eval`` reports.

    Attributes:
        events: event detection scores.
        fields: per-field scores, in a fixed order.
        pairs: the matched pairs, by article and gold event.
        missed: unmatched gold events as ``(doc_id, event index)``.
        extra: IRIs of unmatched reports of the gold articles.
        crowd: agreement with the crowd labels, when a crowd file was given.
        places: place detection and linking, when the gold lists the articles' entities.
    """

    events: EventScore
    fields: tuple[FieldScore, ...]
    pairs: tuple[MatchedPair, ...]
    missed: tuple[tuple[str, int], ...]
    extra: tuple[str, ...]
    crowd: CrowdScore | None = None
    places: PlaceScore | None = None

    def field(self, name: str) -> FieldScore:
        """One field's score by name.

        Raises:
            KeyError: no such field.
        """
        for score in self.fields:
            if score.name == name:
                return score
        raise KeyError(name)
