"""Event matching: gold evidence located in the article, paired with reports by overlap.

A gold event's evidence strings are located in the article text as character spans; a
report's spans are its evidence sentences. Overlap is the number of characters both cover.
Pairs are taken by largest overlap first, each event and report used once (equal overlaps
go to the pair that agrees on more fields); a report that overlaps two gold events thus
matches the one it shares more text with (the other is a false negative unless another
report takes it), and a gold event split over two reports matches the larger part (the
other report is a false positive).

Gold strings are copied from the articles, but whitespace and encoding can differ (the
corpus is full of mojibake). Search is on whitespace-collapsed text; when the exact string
is absent, the longest prefix and suffix of it that occur in the text stand for it, if they
cover most of it ("fuzzy"); otherwise the string is counted as not located.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kg.evaluate.gold import GoldEvent
from kg.evaluate.predicted import PredictedReport, Span

_MIN_PIECE = 12  # shorter prefixes or suffixes match by chance
_MIN_COVER = 0.6  # share of a gold string the prefix and suffix must cover together


@dataclass(frozen=True)
class LocatedEvent:
    """A gold event with its evidence as spans of the article text.

    Attributes:
        exact: evidence strings found as they are (whitespace aside).
        fuzzy: strings found through their longest prefix and suffix.
        missing: strings not found at all.
    """

    event: GoldEvent
    spans: tuple[Span, ...]
    exact: int = 0
    fuzzy: int = 0
    missing: int = 0


@dataclass(frozen=True)
class Pair:
    """A gold event matched with a report, and the characters their evidence shares."""

    gold: LocatedEvent
    report: PredictedReport
    overlap: int


class FoldedText:
    """Text with each whitespace run collapsed to one space, mapped back to the original.

    Example:
        >>> FoldedText("a  b\\n c").find("b c")
        (3, 7)
    """

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        self.offsets: list[int] = []
        for i, char in enumerate(text):
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            self.offsets.append(i)
        self.text = "".join(chars)

    def find(self, needle: str, start: int = 0) -> Span | None:
        """The original span of the first occurrence of ``needle`` (already collapsed)."""
        at = self.text.find(needle, start) if needle else -1
        return None if at < 0 else self.span(at, at + len(needle))

    def span(self, begin: int, end: int) -> Span:
        """Map a span of the collapsed text to a span of the original text."""
        return self.offsets[begin], self.offsets[end - 1] + 1


def collapse(text: str) -> str:
    """Whitespace runs as single spaces, ends stripped.

    Example:
        >>> collapse("  Israeli\\n jets ")
        'Israeli jets'
    """
    return " ".join(text.split())


def locate_event(event: GoldEvent, text: FoldedText) -> LocatedEvent:
    """Locate every evidence string of ``event`` in the article."""
    spans: list[Span] = []
    exact = fuzzy = missing = 0
    for evidence in event.evidence:
        needle = collapse(evidence)
        found = text.find(needle)
        if found is not None:
            exact += 1
        elif (found := fuzzy_find(needle, text)) is not None:
            fuzzy += 1
        else:
            missing += 1
            continue
        spans.append(found)
    return LocatedEvent(event, tuple(sorted(spans)), exact, fuzzy, missing)


def fuzzy_find(needle: str, text: FoldedText) -> Span | None:
    """Find a string that differs from the text somewhere in its middle (mojibake).

    The longest prefix and the longest suffix of ``needle`` that occur in the text (the
    suffix after the prefix) stand for it when together they cover most of it.

    Example:
        >>> page = FoldedText("He said the attack on Syriaâ€™s north killed ten people.")
        >>> fuzzy_find("the attack on Syria's north killed ten people.", page)
        (8, 56)
    """
    prefix = _longest_piece(needle, text.text, from_start=True)
    start = text.text.find(needle[:prefix]) if prefix else -1
    suffix = _longest_piece(needle, text.text, from_start=False, start=max(start, 0))
    end_at = text.text.find(needle[len(needle) - suffix :], max(start, 0)) if suffix else -1
    if start >= 0 and end_at >= start and prefix + suffix >= _MIN_COVER * len(needle):
        end = end_at + suffix
        if end - start <= 2 * len(needle):
            return text.span(start, end)
    if prefix >= _MIN_COVER * len(needle):
        return text.span(start, start + prefix)
    if suffix >= _MIN_COVER * len(needle):
        return text.span(end_at, end_at + suffix)
    return None


def _longest_piece(needle: str, haystack: str, *, from_start: bool, start: int = 0) -> int:
    """Length of the longest prefix (or suffix) of ``needle`` found in ``haystack``; 0 if
    shorter than ``_MIN_PIECE``. Binary search: if a piece occurs, so do its own pieces."""
    low, high = 0, len(needle)
    while low < high:
        mid = (low + high + 1) // 2
        piece = needle[:mid] if from_start else needle[len(needle) - mid :]
        if haystack.find(piece, start) >= 0:
            low = mid
        else:
            high = mid - 1
    return low if low >= _MIN_PIECE else 0


def overlap(a: Sequence[Span], b: Sequence[Span]) -> int:
    """Characters covered by both span lists (each list's own overlaps counted once).

    Example:
        >>> overlap([(0, 10), (5, 20)], [(15, 30), (0, 2)])
        7
    """
    return sum(max(0, min(e1, e2) - max(b1, b2)) for b1, e1 in _merged(a) for b2, e2 in _merged(b))


def _merged(spans: Sequence[Span]) -> list[Span]:
    merged: list[Span] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def pair_events(
    events: Sequence[LocatedEvent],
    reports: Sequence[PredictedReport],
    agreement: Callable[[GoldEvent, PredictedReport], int] | None = None,
) -> tuple[list[Pair], list[LocatedEvent], list[PredictedReport]]:
    """Pair one article's gold events with its reports, largest overlap first.

    Equal overlaps go to the pair that agrees on more fields (``agreement``), not to
    reading order: a report overlapping two events as much goes to the one it describes.

    Returns:
        The pairs (in gold order), the unmatched gold events and the unmatched reports.
    """
    score = agreement or (lambda event, report: 0)
    candidates = sorted(
        (-shared, -score(event.event, report), g, r)
        for g, event in enumerate(events)
        for r, report in enumerate(reports)
        if (shared := overlap(event.spans, report.spans)) > 0
    )
    taken_gold: dict[int, tuple[int, int]] = {}
    taken_reports: set[int] = set()
    for negative, _, g, r in candidates:
        if g not in taken_gold and r not in taken_reports:
            taken_gold[g] = (r, -negative)
            taken_reports.add(r)
    pairs = [Pair(events[g], reports[r], n) for g, (r, n) in sorted(taken_gold.items())]
    missed = [e for g, e in enumerate(events) if g not in taken_gold]
    extra = [p for r, p in enumerate(reports) if r not in taken_reports]
    return pairs, missed, extra
