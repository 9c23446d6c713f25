"""Date expressions: what they say, the day or range they denote, and the article's dateline.

A news report dates a strike relative to the day it was written ("on Monday", "last
January", "two weeks ago"). ``parse_date_expression`` reads what an expression says on its
own; ``resolve`` turns it into a range of days against the article's reference date, which
``reference_date`` takes from the dateline the text opens with, else from the publication
date. ``compatible`` tells whether two descriptions could denote the same day, for merging
reports of one strike across articles.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

_MONTH_NAMES = """january february march april may june july august september october
    november december"""
_WEEKDAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday"


# Full names and their three-letter abbreviations ("Apr", "Thu"), as datelines write them.
class Precision(StrEnum):
    """Date precision concepts (``sk:`` local names)."""

    DAY = "Day"
    MONTH = "Month"
    YEAR = "Year"


@dataclass(frozen=True)
class PartialDate:
    """What a date expression says, possibly without a year or a reference date.

    Attributes:
        year, month, day: known fields ("early May" has only ``month``).
        weekday: 0 (Monday) to 6, when the text names the day of the week.
        part: ``"early"``, ``"mid"`` or ``"late"`` part of the month, when said.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    part: str | None = None


@dataclass(frozen=True)
class ResolvedDate:
    """A date resolved against a reference date: the range it denotes and its precision.

    ``earliest == latest`` for a day; a month or year spans its first to its last day
    ("early May 2020" spans 2020-05-01 to 2020-05-10).
    """

    earliest: datetime.date
    latest: datetime.date
    precision: Precision

    @property
    def date(self) -> datetime.date | None:
        """The day, when the precision is a day."""
        return self.earliest if self.precision is Precision.DAY else None


MONTHS = {n: i for i, name in enumerate(_MONTH_NAMES.split(), 1) for n in (name, name[:3])}
MONTHS |= {"sept": 9}
WEEKDAYS = {n: i for i, name in enumerate(_WEEKDAY_NAMES.split()) for n in (name, name[:3])}
WEEKDAYS |= {"tues": 1, "thur": 3, "thurs": 3}
NAMES = MONTHS.keys() | WEEKDAYS.keys()
_ONE_TO_TWENTY = """one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty"""
NUMBER_WORDS = {word: i for i, word in enumerate(_ONE_TO_TWENTY.split(), 1)} | {"a": 1, "an": 1}
# Words naming a part of the month, and the days each part covers.
PARTS = {"early": "early", "beginning": "early", "start": "early", "mid": "mid"}
PARTS |= {"middle": "mid", "late": "late", "end": "late"}
PART_DAYS = {"early": range(1, 11), "mid": range(11, 21), "late": range(21, 32)}
# Words that name a day by its distance from the reference day.
RELATIVE_DAYS = {"today": 0, "tonight": 0, "yesterday": -1, "overnight": -1}
TIMES_OF_DAY = frozenset({"morning", "afternoon", "evening", "night"})
# A plural unit without "ago" measures a length of time ("two weeks", "recent years").
PLURAL_UNITS = frozenset({"minutes", "hours", "days", "weeks", "months", "years", "decades"})
# Strikes are reported after the fact; a future expression is a plan, not a strike date.
FUTURE_WORDS = frozenset({"tomorrow", "next", "coming", "upcoming"})


class Unit(StrEnum):
    """A calendar unit that relative expressions count in."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


UNITS = {unit.value: unit for unit in Unit} | {f"{unit.value}s": unit for unit in Unit}
Day = datetime.date


@dataclass(frozen=True)
class RelativeDate(PartialDate):
    """A partial date that also counts from the reference date.

    Attributes:
        unit: the calendar unit counted from the reference ("week" in "two weeks ago").
        offset: how many units from the reference's own (-2 in "two weeks ago", 0 in
            "earlier this month"); the named fields narrow that unit ("August last year").
        exclusive: the reference's own day or month is excluded ("last January" in a
            January article means the January before).
    """

    unit: Unit | None = None
    offset: int = 0
    exclusive: bool = False


_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
# 05/06/2020 may be day-first or month-first: expressions like it are not read at all.
_NUMERIC = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_WORD})\.?,?\s+((?:19|20)\d\d)\b"
# "Apr 232017": some outlets glue the day to the year.
_MONTH_DAY_YEAR = rf"\b({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s*((?:19|20)\d\d)(?!\d)"
# Numeric datelines in this press ("07.04.2017", "27-09-2013") are day-first.
_NUMERIC_DAY_FIRST = r"(?<![\d.-])(\d{1,2})[.-](\d{1,2})[.-]((?:19|20)\d\d)(?!\d)"
# Each dateline pattern, with the order of its day, month and year groups.
_DATELINES = (
    (_ISO, "ymd"),
    (re.compile(_DAY_MONTH_YEAR, re.I), "dmy"),
    (re.compile(_MONTH_DAY_YEAR, re.I), "mdy"),
    (re.compile(_NUMERIC_DAY_FIRST), "dmy"),
)
DATELINE_CHARS = 120


def parse_date_expression(text: str) -> PartialDate | None:
    """Read what a date expression says, without a reference date.

    Args:
        text: a date expression ("on Monday", "early May", "two weeks ago").

    Returns:
        its fields, as a ``RelativeDate`` when it counts from the reference date; None for
        lengths of time ("two hours"), future, anaphoric ("the same day") and non-dates.

    Example:
        >>> parse_date_expression("early May")
        PartialDate(year=None, month=5, day=None, weekday=None, part='early')
        >>> parse_date_expression("the past two weeks") is None
        True
    """
    iso = _ISO.search(text)
    if iso:
        day = _matched_date(iso, "ymd")
        return None if day is None else PartialDate(day.year, day.month, day.day)
    if _NUMERIC.search(text):
        return None
    tokens = _tokens(text)
    if FUTURE_WORDS & set(tokens) or (PLURAL_UNITS & set(tokens) and "ago" not in tokens):
        return None
    if _names_a_span(tokens):
        return None
    fields = _named_fields(tokens)
    anchor = _anchor(tokens)
    if anchor and anchor[0] is Unit.DAY and (fields.weekday is not None or fields.month):
        anchor = None  # "overnight Sunday": the named day is the more precise
    exclusive = any(a == "last" and b in NAMES for a, b in itertools.pairwise(tokens))
    if anchor is None and not exclusive:
        return fields if fields != PartialDate() else None
    unit, offset = anchor or (None, 0)
    return RelativeDate(**dataclasses.asdict(fields), unit=unit, offset=offset, exclusive=exclusive)


def resolve(expression: str, reference: datetime.date | None) -> ResolvedDate | None:
    """Resolve a date expression against the article's reference date.

    Example:
        >>> resolve("on Monday", datetime.date(2020, 5, 5)).date
        datetime.date(2020, 5, 4)
    """
    partial = parse_date_expression(expression)
    return None if partial is None else resolve_partial(partial, reference)


def resolve_partial(partial: PartialDate, reference: datetime.date | None) -> ResolvedDate | None:
    """Resolve a parsed expression: past weekdays and months, spans of relative units.

    A weekday or a month without a year is the latest one on or before the reference.
    A range gets the precision of the smallest calendar unit that holds it ("early May"
    is a month, "last week" a month or a year); a range across two years gets None.

    Example:
        >>> resolve_partial(PartialDate(month=1), datetime.date(2020, 5, 5)).precision
        <Precision.MONTH: 'Month'>
    """
    if isinstance(reference, datetime.datetime):
        reference = reference.date()
    window = _window(partial, reference)
    if window is None:
        return None
    days = [day for day in _days(*window) if _matches(partial, day)]
    return _span(days[0], days[-1]) if days else None


def find_dateline(text: str) -> datetime.date | None:
    """The full date the article opens with ("Fri 07 Apr 2017 at 0914 Homs ...").

    Example:
        >>> find_dateline("AFP  Thursday 5 Feb 2015 At le")
        datetime.date(2015, 2, 5)
    """
    head = text[:DATELINE_CHARS]
    found = [(m, order) for pattern, order in _DATELINES for m in pattern.finditer(head)]
    for match, order in sorted(found, key=lambda pair: pair[0].start()):
        day = _matched_date(match, order)
        if day is not None:
            return day
    return None


def reference_date(
    text: str, published: datetime.date | datetime.datetime | None
) -> datetime.date | None:
    """The date an article's relative expressions count from: its dateline, else ``published``.

    Example:
        >>> reference_date("Sat Nov 18 2017 Jets hit ...", datetime.date(2017, 11, 4))
        datetime.date(2017, 11, 18)
    """
    dateline = find_dateline(text)
    if dateline is not None:
        return dateline
    if isinstance(published, datetime.datetime):
        return published.date()
    return published


def compatible(a: PartialDate | ResolvedDate, b: PartialDate | ResolvedDate) -> bool:
    """Whether two date descriptions could denote the same day; unknown fields never conflict.

    Example:
        >>> day = datetime.date(2020, 5, 4)  # a Monday
        >>> monday = ResolvedDate(day, day, Precision.DAY)
        >>> compatible(monday, PartialDate(month=5, part="early"))
        True
        >>> compatible(monday, PartialDate(weekday=4))
        False
    """
    if isinstance(a, ResolvedDate):
        if isinstance(b, ResolvedDate):
            return a.earliest <= b.latest and b.earliest <= a.latest
        return _admits(a, b)
    if isinstance(b, ResolvedDate):
        return _admits(b, a)
    merged = _merge(a, b)
    return merged is not None and _satisfiable(merged)


def _admits(resolved: ResolvedDate, partial: PartialDate) -> bool:
    """Whether some day of the resolved range has every field the partial date knows."""
    return any(_matches(partial, day) for day in _days(resolved.earliest, resolved.latest))


def _tokens(text: str) -> list[str]:
    text = re.sub(r"['’]s\b", "", text.lower())
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", r"\1", text)
    return [token for token in re.split(r"\W+", text) if token]


def _named_fields(tokens: list[str]) -> PartialDate:
    """The fields an expression names outright."""
    years = _years(tokens)
    month_at = next((i for i, token in enumerate(tokens) if token in MONTHS), None)
    weekday = next((WEEKDAYS[token] for token in tokens if token in WEEKDAYS), None)
    head = month_at if month_at is not None else _month_anchor_at(tokens)
    return PartialDate(
        year=years.pop() if years else None,
        month=MONTHS[tokens[month_at]] if month_at is not None else None,
        day=_day_next_to(tokens, month_at) if month_at is not None else None,
        weekday=weekday,
        part=_part_before(tokens, head) if head is not None else None,
    )


def _names_a_span(tokens: list[str]) -> bool:
    """Two years or two months ("2011-2012", "March 2011 to June 2016") bound a span, not a day."""
    return len(_years(tokens)) > 1 or len({MONTHS[t] for t in tokens if t in MONTHS}) > 1


# Words after which four digits are a clock time, not a year: "2000 GMT", "1100 pm".
CLOCK_WORDS = frozenset({"gmt", "utc", "hrs", "hours", "pm", "am", "local", "time"})


def _years(tokens: list[str]) -> set[int]:
    return {
        int(t)
        for t, after in zip(tokens, [*tokens[1:], ""], strict=False)
        if len(t) == 4 and t.isdigit() and 1900 <= int(t) < 2100 and after not in CLOCK_WORDS
    }


def _month_anchor_at(tokens: list[str]) -> int | None:
    """Where "this month" or "last month" starts, the head a part word can qualify."""
    for i, token in enumerate(tokens[:-1]):
        if token in ("this", "last") and tokens[i + 1] == "month":
            return i
    return None


def _day_next_to(tokens: list[str], month_at: int) -> int | None:
    """The day of the month written beside the month: "May 5", "5 May", "the 5th of May"."""
    before = month_at - 2 if month_at >= 2 and tokens[month_at - 1] == "of" else month_at - 1
    for i in (month_at + 1, before):
        if 0 <= i < len(tokens) and tokens[i].isdigit() and 1 <= int(tokens[i]) <= 31:
            return int(tokens[i])
    return None


def _part_before(tokens: list[str], head: int) -> str | None:
    """The part of the month said before it: "early May", "the end of May", "mid-May"."""
    i = head - 1
    while i >= 0 and tokens[i] in ("of", "the"):
        i -= 1
    return PARTS.get(tokens[i]) if i >= 0 else None


def _anchor(tokens: list[str]) -> tuple[Unit, int] | None:
    """The unit and count an expression measures from the reference: "two weeks ago" -> -2."""
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in RELATIVE_DAYS:
            return Unit.DAY, RELATIVE_DAYS[token]
        # "the last week" is the seven days up to now, a length of time, not a date.
        if token in ("this", "last") and (i == 0 or tokens[i - 1] != "the"):
            offset = 0 if token == "this" else -1
            if after in TIMES_OF_DAY:
                return Unit.DAY, offset
            if after in UNITS and not after.endswith("s"):
                return UNITS[after], offset
        if token == "ago" and i >= 2 and tokens[i - 1] in UNITS:
            count = (
                int(tokens[i - 2]) if tokens[i - 2].isdigit() else NUMBER_WORDS.get(tokens[i - 2])
            )
            if count is not None:
                return UNITS[tokens[i - 1]], -count
    return None


def _window(partial: PartialDate, reference: datetime.date | None) -> tuple[Day, Day] | None:
    """The days an expression picks from before its named fields narrow them."""
    if partial.year is not None:
        return _unit_span(Unit.YEAR, datetime.date(partial.year, 1, 1), 0)
    if reference is None:
        return None
    relative = partial if isinstance(partial, RelativeDate) else RelativeDate()
    if relative.unit is not None:
        return _unit_span(relative.unit, reference, relative.offset)
    if partial.month is not None:
        year = _latest_year(reference, partial.month, partial.day, relative.exclusive)
        return None if year is None else _unit_span(Unit.YEAR, datetime.date(year, 1, 1), 0)
    if partial.weekday is not None:
        last = reference - datetime.timedelta(days=1 if relative.exclusive else 0)
        return last - datetime.timedelta(days=6), last
    return None


def _unit_span(unit: Unit, day: Day, offset: int) -> tuple[Day, Day]:
    """The calendar day, week (Monday to Sunday), month or year ``offset`` units from ``day``."""
    if unit is Unit.DAY:
        moved = day + datetime.timedelta(days=offset)
        return moved, moved
    if unit is Unit.WEEK:
        monday = day + datetime.timedelta(weeks=offset, days=-day.weekday())
        return monday, monday + datetime.timedelta(days=6)
    if unit is Unit.MONTH:
        year, month0 = divmod(day.year * 12 + day.month - 1 + offset, 12)
        last = calendar.monthrange(year, month0 + 1)[1]
        return datetime.date(year, month0 + 1, 1), datetime.date(year, month0 + 1, last)
    return datetime.date(day.year + offset, 1, 1), datetime.date(day.year + offset, 12, 31)


def _latest_year(reference: Day, month: int, day: int | None, exclusive: bool) -> int | None:
    """The year of the latest such month (or day of it) on or before the reference."""
    for year in range(reference.year, reference.year - 8, -1):
        try:
            start = datetime.date(year, month, day or 1)
        except ValueError:  # 29 February of a common year: look further back
            continue
        limit = reference if day else reference.replace(day=1)
        if start < limit or (start == limit and not exclusive):
            return year
    return None


def _days(first: Day, last: Day) -> Iterator[Day]:
    for n in range((last - first).days + 1):
        yield first + datetime.timedelta(days=n)


def _matches(partial: PartialDate, day: Day) -> bool:
    """Whether ``day`` has every field the partial date knows."""
    return (
        partial.year in (None, day.year)
        and partial.month in (None, day.month)
        and partial.day in (None, day.day)
        and partial.weekday in (None, day.weekday())
        and (partial.part is None or day.day in PART_DAYS.get(partial.part, ()))
    )


def _span(first: Day, last: Day) -> ResolvedDate | None:
    if first == last:
        return ResolvedDate(first, last, Precision.DAY)
    if (first.year, first.month) == (last.year, last.month):
        return ResolvedDate(first, last, Precision.MONTH)
    return ResolvedDate(first, last, Precision.YEAR) if first.year == last.year else None


def _merge(a: PartialDate, b: PartialDate) -> PartialDate | None:
    """The fields of both, or None when a field known to both differs."""
    pairs = {
        f.name: (getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(PartialDate)
    }
    if any(x is not None and y is not None and x != y for x, y in pairs.values()):
        return None
    return PartialDate(**{name: y if x is None else x for name, (x, y) in pairs.items()})


def _satisfiable(partial: PartialDate) -> bool:
    """Whether some real day has every known field ("Friday 4 May 2020" has none)."""
    # 28 years bring every weekday to every date, 29 February included.
    years = [partial.year] if partial.year is not None else range(2000, 2028)
    months = [partial.month] if partial.month is not None else range(1, 13)
    return any(
        _matches(partial, datetime.date(year, month, day))
        for year in years
        for month in months
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
    )


def _matched_date(match: re.Match[str], order: str) -> Day | None:
    """The date a pattern matched, its groups in ``order`` ("dmy"), if a real day."""
    found = dict(zip(order, match.groups(), strict=True))
    month = found["m"]
    try:
        return datetime.date(
            int(found["y"]),
            int(month) if month.isdigit() else MONTHS[month.lower()],
            int(found["d"]),
        )
    except ValueError:
        return None
