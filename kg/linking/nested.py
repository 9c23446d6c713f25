"""Place names inside facility and organisation names ("Damascus International Airport").

The entity stage types "Aleppo University" as an organisation and "Damascus International
Airport" as a facility; the place each is in is named inside it. ``nested_place`` finds
that name, for ``link`` to resolve in the article's context.
"""

from __future__ import annotations

from functools import cache

from kg.linking.candidates import PlaceGazetteer
from kg.linking.names import ARTICLES, clean, fold

# Common words of facility, organisation and descriptive names: never a place on their own.
COMMON_WORDS = frozenset(
    "international military national air naval central general academy institute scientific "
    "research studies ministry defense defence security intelligence police regional old new "
    "city town village province governorate countryside district north south east west "
    "northern southern eastern western upper lower greater of and for the arab islamic kurdish "
    "free democratic popular revolutionary republican royal united joint coalition human "
    "rights observatory "
    # Geographic and topical head words: "the Euphrates River" cut to "River" is no town.
    "river bank valley mountain mountains lake sea hill hills plain plains desert border "
    "borders crossing road highway bridge dam area region front war crisis".split()
)


@cache
def generic_words() -> frozenset[str]:
    """Words that are never a place name by themselves: common words, the entity stage's
    head words ("airport", "army", "brigade") and the curated demonyms ("syrian").

    Example:
        >>> {"airport", "syrian", "old"} <= generic_words(), "aleppo" in generic_words()
        (True, False)
    """
    # Imported here, not at the top: the entity stage loads spaCy, which linking does not
    # otherwise need (the index can be built and queried without it).
    from kg.entities import FACILITY_WORDS, FORCE_WORDS, GROUP_WORDS
    from kg.gazetteer import load_gazetteer

    demonyms = {fold(d) for entity in load_gazetteer().entities for d in entity.demonyms}
    return COMMON_WORDS | FACILITY_WORDS | FORCE_WORDS | GROUP_WORDS | demonyms


def nested_place(name: str, gazetteer: PlaceGazetteer, min_population: int = 1000) -> str | None:
    """The known place named inside a facility or organisation name, if any.

    Tries runs of capitalised words that are not generic ("International", "Airport"),
    longest first; a run counts when the gazetteer knows it as a country, a province or a
    place of at least ``min_population`` people. Returns the run as written (possessive
    stripped), for ``link`` to resolve with the article's context.
    """
    words = [clean(word) for word in clean(name).split()]
    for span in _spans(_proper_runs(words)):
        if span != clean(name) and any(
            p.is_country or p.is_admin1 or p.population >= min_population
            for p in gazetteer.candidates(span)
        ):
            return span
    return None


def _proper_runs(words: list[str]) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for word in words:
        proper = word[:1].isupper() or word.split("-")[0].casefold() in ARTICLES
        if proper and fold(word) not in generic_words():
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _spans(runs: list[list[str]]) -> list[str]:
    spans = [
        " ".join(run[i:j])
        for run in runs
        for i in range(len(run))
        for j in range(i + 1, len(run) + 1)
    ]
    return sorted(dict.fromkeys(spans), key=lambda s: -len(s.split()))
