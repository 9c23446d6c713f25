"""Date expressions, their resolution against a reference date, datelines and compatibility."""

from __future__ import annotations

import datetime
import doctest
import sys

import pytest

from kg.timex import (
    PartialDate,
    Precision,
    RelativeDate,
    ResolvedDate,
    Unit,
    compatible,
    find_dateline,
    parse_date_expression,
    reference_date,
    resolve,
)

P = PartialDate
R = RelativeDate
DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR
TUESDAY = "2020-05-05"  # the reference of the Al Jazeera seed article


def date(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)


def span(earliest: str, latest: str | None = None) -> ResolvedDate:
    """A resolved date from ISO days; one day is Day precision, a range takes the table's."""
    last = latest or earliest
    precision = DAY if last == earliest else MONTH if earliest[:7] == last[:7] else YEAR
    return ResolvedDate(date(earliest), date(last), precision)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # weekdays, with or without time of day
        ("Monday", P(weekday=0)),
        ("on Monday", P(weekday=0)),
        ("Tuesday's", P(weekday=1)),
        ("late Thursday", P(weekday=3)),
        ("Thursday night", P(weekday=3)),
        ("early Sunday morning", P(weekday=6)),
        ("overnight Sunday", P(weekday=6)),
        # months, parts of months, days
        ("early May", P(month=5, part="early")),
        ("mid-May", P(month=5, part="mid")),
        ("the end of April", P(month=4, part="late")),
        ("May 5", P(month=5, day=5)),
        ("5 May", P(month=5, day=5)),
        ("the 5th of May", P(month=5, day=5)),
        ("Sept. 19", P(month=9, day=19)),
        # explicit years
        ("May 5th, 2019", P(2019, 5, 5)),
        ("Friday 5 May 2017", P(2017, 5, 5, weekday=4)),
        ("2020-05-04", P(2020, 5, 4)),
        ("2013", P(year=2013)),
        ("August 2013", P(2013, 8)),
        ("the summer of 2013", P(year=2013)),
        ("mid-2012", P(year=2012)),
        # "last" before a name excludes the reference's own month or day
        ("last January", R(month=1, exclusive=True)),
        ("last Monday", R(weekday=0, exclusive=True)),
        # counted from the reference day
        ("today", R(unit=Unit.DAY, offset=0)),
        ("at dawn today", R(unit=Unit.DAY, offset=0)),
        ("tonight", R(unit=Unit.DAY, offset=0)),
        ("this morning", R(unit=Unit.DAY, offset=0)),
        ("yesterday", R(unit=Unit.DAY, offset=-1)),
        ("since yesterday", R(unit=Unit.DAY, offset=-1)),
        ("last night", R(unit=Unit.DAY, offset=-1)),
        ("overnight", R(unit=Unit.DAY, offset=-1)),
        ("three days ago", R(unit=Unit.DAY, offset=-3)),
        ("12 days ago", R(unit=Unit.DAY, offset=-12)),
        ("a week ago", R(unit=Unit.WEEK, offset=-1)),
        ("two weeks ago", R(unit=Unit.WEEK, offset=-2)),
        ("three months ago", R(unit=Unit.MONTH, offset=-3)),
        ("five years ago", R(unit=Unit.YEAR, offset=-5)),
        ("last week", R(unit=Unit.WEEK, offset=-1)),
        ("earlier this week", R(unit=Unit.WEEK, offset=0)),
        ("last month", R(unit=Unit.MONTH, offset=-1)),
        ("earlier this month", R(unit=Unit.MONTH, offset=0)),
        ("early this month", R(part="early", unit=Unit.MONTH, offset=0)),
        ("last year", R(unit=Unit.YEAR, offset=-1)),
        ("earlier this year", R(unit=Unit.YEAR, offset=0)),
        # named fields narrow a counted unit
        ("In August last year", R(month=8, unit=Unit.YEAR, offset=-1)),
        ("Monday last week", R(weekday=0, unit=Unit.WEEK, offset=-1)),
    ],
)
def test_parse_date_expression(text: str, expected: PartialDate) -> None:
    assert parse_date_expression(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # lengths of time
        "two hours",
        "24 hours",
        "two weeks",
        "the past two weeks",
        "the last week",
        "recent years",
        "decades",
        "114-month",
        "nine-year conflict",
        "five-month-old",
        "a few days ago",
        # anaphoric: the caller dates them from the strike they refer to
        "on the same day",
        "that day",
        "the day before",
        # future, spans, ambiguous or impossible numbers, non-dates
        "next Monday",
        "tomorrow",
        "2011-2012",
        "March 2011 to June 2016",
        "05/05/2020",
        "07.04.2017",
        "2020-02-30",
        "the late 1970s",
        "morning",
        "Qalamoun",
        "",
        "2000 GMT",  # a clock time, not the year 2000
    ],
)
def test_parse_date_expression_rejects(text: str) -> None:
    assert parse_date_expression(text) is None


@pytest.mark.parametrize(
    ("expression", "reference", "expected"),
    [
        # a weekday is the latest such day on or before the reference
        ("on Monday", TUESDAY, span("2020-05-04")),
        ("Tuesday", TUESDAY, span(TUESDAY)),
        ("Wednesday", TUESDAY, span("2020-04-29")),
        ("last Tuesday", TUESDAY, span("2020-04-28")),
        ("late Thursday", "2017-04-07", span("2017-04-06")),
        ("Monday last week", TUESDAY, span("2020-04-27")),
        # days counted from the reference
        ("yesterday", TUESDAY, span("2020-05-04")),
        ("last night", TUESDAY, span("2020-05-04")),
        ("overnight", "2016-05-31", span("2016-05-30")),
        ("this morning", TUESDAY, span(TUESDAY)),
        ("three days ago", TUESDAY, span("2020-05-02")),
        # weeks (Monday to Sunday), months and years counted from the reference
        ("two weeks ago", TUESDAY, span("2020-04-20", "2020-04-26")),
        ("last week", TUESDAY, span("2020-04-27", "2020-05-03")),
        ("last month", TUESDAY, span("2020-04-01", "2020-04-30")),
        ("earlier this month", TUESDAY, span("2020-05-01", "2020-05-31")),
        ("early this month", TUESDAY, span("2020-05-01", "2020-05-10")),
        ("last year", TUESDAY, span("2019-01-01", "2019-12-31")),
        ("In August last year", "2013-08-06", span("2012-08-01", "2012-08-31")),
        # a month without a year is the latest one on or before the reference month
        ("last January", TUESDAY, span("2020-01-01", "2020-01-31")),
        ("last January", "2020-01-20", span("2019-01-01", "2019-01-31")),
        ("January", "2020-01-20", span("2020-01-01", "2020-01-31")),
        ("early May", TUESDAY, span("2020-05-01", "2020-05-10")),
        ("late December", TUESDAY, span("2019-12-21", "2019-12-31")),
        ("July 25", "2013-08-06", span("2013-07-25")),
        ("December 30", "2014-01-02", span("2013-12-30")),
        ("Feb 29", "2021-03-01", span("2020-02-29")),
        # explicit years need no reference
        ("August 2013", "2017-04-04", span("2013-08-01", "2013-08-31")),
        ("the summer of 2013", "2017-04-04", span("2013-01-01", "2013-12-31")),
        ("2013", None, span("2013-01-01", "2013-12-31")),
        ("5 May 2020", None, span("2020-05-05")),
        ("Friday 5 May 2017", None, span("2017-05-05")),
    ],
)
def test_resolve(expression: str, reference: str | None, expected: ResolvedDate) -> None:
    assert resolve(expression, date(reference) if reference else None) == expected


@pytest.mark.parametrize(
    ("expression", "reference"),
    [
        # no year can be known without a reference
        ("Monday", None),
        ("early May", None),
        ("yesterday", None),
        # not a date
        ("two hours", TUESDAY),
        ("on the same day", TUESDAY),
        # contradictory: 4 May 2020 was a Monday
        ("Friday 4 May 2020", None),
        # a week across New Year has no single month or year to be written as
        ("last week", "2020-01-08"),
    ],
)
def test_resolve_gives_none(expression: str, reference: str | None) -> None:
    assert resolve(expression, date(reference) if reference else None) is None


def test_resolve_accepts_a_datetime_reference() -> None:
    noon = datetime.datetime(2020, 5, 5, 12, 0)
    assert resolve("on Monday", noon) == span("2020-05-04")


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("Fri 07 Apr 2017 at 0914 Homs governor says U.S. attack caused deaths", "2017-04-07"),
        ("12 February 2015 - Hizballah 'leads regime offensive in southern Syria'", "2015-02-12"),
        ("7 July 2015 - Syria's Nusra Front stages deadly suicide bombing in Aleppo", "2015-07-07"),
        ("7 November  2016 Four people killed including child 25 others injured", "2016-11-07"),
        ("Thursday 5 Feb 2015 Syria strikes kill 45 after rebel fire on Damascus", "2015-02-05"),
        ("Syria strikes kill 45 Monitor     AFP  Thursday 5 Feb 2015 At le", "2015-02-05"),
        ("Sat Nov 18 2017 Jets pound eastern Ghouta", "2017-11-18"),
        ("April 19 2017 Dozens of Casualties in Syrias Aleppo Bomb Blast.", "2017-04-19"),
        ("Posted on April 19 2017 by Asharq Al-Awsat English Six Killed", "2017-04-19"),
        ("Published September 21 2016 - Airstrikes on clinic kill 5 medics", "2016-09-21"),
        ("Date of publication 29 August 2016 -7 killed in regime strikes", "2016-08-29"),
        ("Tuesday 31 May 2016 18:14 Deadly Russian Airstrikes Kill 35", "2016-05-31"),
        ("Last updated at Apr 232017 - Israeli attack on Syria military camp", "2017-04-23"),
        ("07.04.2017 - US Missile Strike on Syria Kills Five Injures Seven", "2017-04-07"),
        ("23.04.2017) - Alleged Israeli Strike Killed 3 Syrian Defense Forces", "2017-04-23"),
        ("27-09-2013 Damascus Car Bomb Kills 70 People at Least.", "2013-09-27"),
        ("6-09-2013 Extremists in Syria Admit Killing 30 Alawites .", "2013-09-06"),
        ("Date : 2020-05-05 02:59:00", "2020-05-05"),
    ],
)
def test_find_dateline(opening: str, expected: str) -> None:
    assert find_dateline(opening) == date(expected)


@pytest.mark.parametrize(
    "opening",
    [
        "Coalition raids kill 21 civilians in IS stronghold in Syria Monitor  Air strikes by",
        "See Syria Daily, May 5: Israel Hits Regime and Iran Near Aleppo",
        "Over 130 Civilians Children Killed in April 15 Terrorist Attack Near Aleppo",
        "31.02.2017 - Daesh Attacks Syrian Deir ez-Zor With Rockets",
        "x" * 120 + " 5 May 2020",
    ],
)
def test_find_dateline_needs_a_full_date_at_the_start(opening: str) -> None:
    assert find_dateline(opening) is None


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Sat Nov 18 2017 Jets pound eastern Ghouta", date("2017-11-04"), "2017-11-18"),
        ("Coalition raids kill 21 civilians", date("2016-07-18"), "2016-07-18"),
        ("Coalition raids kill 21 civilians", datetime.datetime(2016, 7, 18, 9), "2016-07-18"),
        ("Coalition raids kill 21 civilians", None, None),
    ],
)
def test_reference_date(text: str, published: datetime.date | None, expected: str | None) -> None:
    assert reference_date(text, published) == (date(expected) if expected else None)


MONDAY = span("2020-05-04")
EARLY_MAY = span("2020-05-01", "2020-05-10")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # a resolved day against what another report says
        (MONDAY, P(month=5, part="early"), True),
        (MONDAY, P(month=5, part="late"), False),
        (MONDAY, P(weekday=0), True),
        (MONDAY, P(weekday=4), False),
        (MONDAY, P(month=6), False),
        (MONDAY, P(year=2019), False),
        (MONDAY, P(), True),
        (MONDAY, R(unit=Unit.DAY, offset=-1), True),
        # resolved ranges overlap or not
        (MONDAY, EARLY_MAY, True),
        (EARLY_MAY, span("2020-05-01", "2020-05-31"), True),
        (MONDAY, span("2020-04-01", "2020-04-30"), False),
        # partial against partial: some real day must have the fields of both
        (P(weekday=0), P(weekday=4), False),
        (P(month=5, day=4), P(weekday=0), True),
        (P(2020, 5, 4), P(weekday=0), True),
        (P(2020, 5, 4), P(weekday=4), False),
        (P(month=5, part="early"), P(day=4), True),
        (P(month=5, part="early"), P(day=15), False),
        (P(month=2, day=29), P(weekday=0), True),
        (P(year=2021, month=2, day=29), P(), False),
    ],
)
def test_compatible(
    a: PartialDate | ResolvedDate, b: PartialDate | ResolvedDate, expected: bool
) -> None:
    assert compatible(a, b) is expected
    assert compatible(b, a) is expected


WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Every day of two years, a leap year among them: every weekday meets every date.
EVERY_DAY = [date("2019-01-01") + datetime.timedelta(days=n) for n in range(731)]


def test_a_weekday_is_within_the_week_up_to_the_reference() -> None:
    for reference in EVERY_DAY:
        for weekday, name in enumerate(WEEKDAY_NAMES):
            resolved = resolve(f"on {name}", reference)
            assert resolved is not None and resolved.date is not None
            assert resolved.date.weekday() == weekday
            assert 0 <= (reference - resolved.date).days <= 6


def test_a_written_date_resolves_to_itself_and_is_compatible_with_it() -> None:
    for day in EVERY_DAY:
        written = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {day:%B} {day.year}"
        partial = parse_date_expression(written)
        assert partial is not None
        assert resolve(written, None) == ResolvedDate(day, day, DAY)
        assert compatible(ResolvedDate(day, day, DAY), partial)


def test_docstring_examples_hold() -> None:
    # No `import kg.timex`: kg.events must load first, as kg.events.arguments imports kg.timex.
    assert doctest.testmod(sys.modules[compatible.__module__]).failed == 0
