"""Ranking candidates and abstaining: which GeoNames place a mention in an article means.

Each candidate gets an additive score (in roughly "orders of magnitude of population"):
how the name matched, what kind of feature it is and how many live there, whether a cue
word asks for a city or a province, whether the article's countries, its explicit parent
("X in Y", "X, Y") and its other places agree with it. The best candidate is linked only
when it is strong enough and clearly ahead of the next one; otherwise the answer is
``None`` — an unlinked place is better than a wrongly linked one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple, TypeVar

from kg.gazetteer import load_gazetteer
from kg.linking.candidates import Candidate, MatchKind, PlaceGazetteer
from kg.linking.geonames import Place
from kg.linking.names import Cue, cached_name_key, fold, split_cue, split_parent
from kg.linking.nested import COMMON_WORDS

MATCH = {MatchKind.NAME: 1.5, MatchKind.ALTERNATE: 0.5, MatchKind.FUZZY: -0.5}
DIVISION_IMPORTANCE = 3.0  # a province counts like a city of a million
COUNTRY_IMPORTANCE = 3.0
CAPITAL = 0.5
NAMESAKE = -2.5  # "Idlib" is the city unless the text says "province"
# "London" is no village of Ohio, even in an article that names the United States: a town a
# hundred times smaller than a city of the same name needs the text's own say-so ("X in Y").
SMALL_NAMESAKE, NAMESAKE_RATIO = -2.5, 100
CUE_FIT, CUE_MISFIT = 1.5, -4.0
WHOLE_NAME = 3.0  # the name matched with its cue word: "Kuwait City", "Damascus countryside"
IN_COUNTRIES, COUNTRY_SHARE, FOREIGN = 1.0, 1.5, -2.0
PARENT_DIVISION, PARENT_COUNTRY, PARENT_MISFIT = 3.0, 2.0, -1.5
COHERENT_COUNTRY, COHERENT_DIVISION = 2.0, 0.75
GENERIC_NAME = -2.0  # "Old City", "Central District": common words make weak names
FUZZY_SPELLING = 3.0  # a 0.8-alike skeleton match loses 0.6 more
MIN_SCORE, MARGIN = 2.0, 1.0
VILLAGE, SMALL_TOWN = 10_000, 100_000
_MEMO_LIMIT = 10_000
_K = TypeVar("_K")
_V = TypeVar("_V")
_Counts = tuple[tuple[str, int], ...]
_Stated = tuple[tuple[str, ...], _Counts, _Counts]


@dataclass(frozen=True)
class LinkContext:
    """What the article says around a place name.

    Attributes:
        countries: ISO codes of the states the article names (demonyms included), with
            how often each is named.
        places: the article's other place names, as written.
        parent: the containing place a cue names: "X in Y", "X, Y" → "Y".
        forces: ISO codes of the states whose armed forces the article names ("the Syrian
            army"), with how often. They count for their country's places, not against
            others': armies fight abroad ("Russian jets bombed Saraqeb").
    """

    countries: Mapping[str, int] = field(default_factory=dict)
    places: tuple[str, ...] = ()
    parent: str | None = None
    forces: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        countries: Iterable[str] = (),
        places: Iterable[str] = (),
        parent: str | None = None,
        forces: Iterable[str] = (),
    ) -> LinkContext:
        """Build a context from one ISO code per state (and armed force) mention.

        Example:
            >>> LinkContext.of(["SY", "SY", "IL"], ["Homs"]).countries
            {'SY': 2, 'IL': 1}
        """
        return cls(
            dict(Counter(c for c in countries if c)),
            tuple(places),
            parent,
            dict(Counter(c for c in forces if c)),
        )

    @cached_property
    def _stated(self) -> _Stated:
        """What the article says whatever the name, as a memo key: its places, and how often
        it names each state (not in what order). Made once per context."""
        return (
            tuple(self.places),
            tuple(sorted(self.countries.items())),
            tuple(sorted(self.forces.items())),
        )


@lru_cache(maxsize=_MEMO_LIMIT)
def _base_key(name: str) -> str:
    """The key of a place name without its cue word ("Idlib province" is "idlib")."""
    return cached_name_key(split_cue(name)[0])


def countries_named(names: Iterable[str]) -> list[str]:
    """The ISO codes of the states among names and demonyms ("Syrian", "Israeli", "Iran").

    Example:
        >>> countries_named(["Syrian", "Israeli", "Hezbollah", "Iranians"])
        ['SY', 'IL', 'IR']
    """
    gazetteer = load_gazetteer()
    codes = []
    for name in names:
        known = gazetteer.lookup(name) or (
            gazetteer.lookup(name[:-1]) if name.endswith("s") else None
        )
        if known is not None and known.kind == "State" and known.country:
            codes.append(known.country)
    return codes


@dataclass(frozen=True)
class Ranked:
    """A scored candidate, with the reasons for its score (for explanations and tests)."""

    place: Place
    score: float
    reasons: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class _Evidence:
    countries: Mapping[str, float]  # stated countries, as shares of all state mentions
    states_named: bool  # whether the article names a state (its forces aside)
    coherent_countries: Mapping[str, float]  # where the article's other places are
    coherent_divisions: Mapping[tuple[str, str], float]
    parent: tuple[Place, ...] | None  # candidates of the parent cue, if one was given

    @cached_property
    def place_countries(self) -> Mapping[str, float]:
        """Where the article's places are: its other places' countries, else its main state.

        Weak names (skeleton matches, common words) need this stricter evidence: an
        article about Syria names the United States as an actor, not as a place.
        """
        if self.coherent_countries:
            return self.coherent_countries
        top = max(self.countries.values(), default=0.0)
        return {iso: share for iso, share in self.countries.items() if share == top}


class _Article(NamedTuple):
    shares: Mapping[str, float]  # stated countries, as shares of all state mentions
    places: tuple[tuple[str, Place | None], ...]  # its places' keys, linked on their own


class _Candidacy(NamedTuple):
    candidate: Candidate
    fixed: tuple[tuple[str, float], ...]  # the reasons owed to the name alone, as kept
    weak: bool  # counts only where the article's places are


class _Name(NamedTuple):
    parent: str | None  # the parent cue of an "X, Y" name
    base: str  # the name without parent cue and cue word
    generic: bool  # all common words
    candidacies: tuple[_Candidacy, ...]


class PlaceLinker:
    """Links place names to GeoNames places over one gazetteer."""

    def __init__(self, gazetteer: PlaceGazetteer) -> None:
        self.gazetteer = gazetteer
        self._links: dict[tuple[str, str | None, _Stated], tuple[Place | None]] = {}
        self._articles: dict[_Stated, _Article] = {}
        self._names: dict[str, _Name] = {}

    def link(self, name: str, context: LinkContext | None = None) -> Place | None:
        """The place ``name`` refers to, or ``None`` when the evidence does not settle it.

        Memoised by name and context: an article links a name several times (each mention,
        each cut of an overrun span, each other place's coherence vote), and a first pass
        links the same names under the same states in article after article.
        """
        context = context or LinkContext()
        key = (name, context.parent, context._stated)
        if (known := self._links.get(key)) is not None:
            return known[0]
        place = self._link(name, context)
        _remember(self._links, key, (place,))
        return place

    def _link(self, name: str, context: LinkContext) -> Place | None:
        ranked = self.rank(name, context)
        if not ranked or ranked[0].score < MIN_SCORE:
            return None
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < MARGIN:
            return None
        return ranked[0].place

    def rank(self, name: str, context: LinkContext | None = None) -> list[Ranked]:
        """Every candidate of ``name``, best first, with its score and reasons."""
        context = context or LinkContext()
        named = self._name(name)
        if context.parent is None and named.parent is not None:
            context = replace(context, parent=named.parent)
        if not named.candidacies:  # most names the model tags are no place: spare the evidence
            return []
        evidence = self._evidence(named.base, context)
        ranked = [_score(c, evidence, named.generic) for c in named.candidacies]
        kept = [r for r in ranked if r is not None]
        return sorted(kept, key=lambda r: (-r.score, r.place.geonames_id))

    def _name(self, name: str) -> _Name:
        """A name's candidates, scored for what they owe to the name alone: once per name,
        not once per article or mention that names it."""
        if (named := self._names.get(name)) is not None:
            return named
        head, parent = split_parent(name)
        base, cue = split_cue(head)
        # "Old City", "Kuwait City": places named with the cue word are not asked for by it.
        whole = {c.place.geonames_id: c for c in self.gazetteer.matches(head, fuzzy=cue is None)}
        cued = {c.place.geonames_id: c for c in self.gazetteer.matches(base)} if cue else {}
        candidates = list({**whole, **cued}.values())
        generic = all(word in COMMON_WORDS for word in fold(head).split())
        biggest = _biggest_city(candidates)
        candidacies = tuple(
            _candidacy(c, candidates, biggest, _cue_for(c, cue, whole, cued), generic)
            for c in candidates
        )
        named = _Name(parent, base, generic, candidacies)
        _remember(self._names, name, named)
        return named

    def _evidence(self, base: str, context: LinkContext) -> _Evidence:
        article = self._article(context)
        own_key = cached_name_key(base)
        resolved = [p for key, p in article.places if key != own_key and p is not None]
        countries: defaultdict[str, float] = defaultdict(float)
        divisions: defaultdict[tuple[str, str], float] = defaultdict(float)
        for place in resolved:
            countries[place.country_code] += 1 / len(resolved)
            if place.admin1_code:
                divisions[place.country_code, place.admin1_code] += 1 / len(resolved)
        parent = None
        if context.parent and cached_name_key(context.parent) != own_key:
            parent = tuple(self.gazetteer.candidates(context.parent))
        return _Evidence(article.shares, bool(context.countries), countries, divisions, parent)

    def _article(self, context: LinkContext) -> _Article:
        """What the article says whatever the name: once per article, not once per name."""
        if (article := self._articles.get(context._stated)) is not None:
            return article
        stated = Counter(context.countries) + Counter(context.forces)
        total = sum(stated.values())
        shares = {iso: n / total for iso, n in stated.items()} if total else {}
        countries = LinkContext(context.countries, forces=context.forces)
        places = tuple((_base_key(p), self.link(p, countries)) for p in context.places)
        article = _Article(shares, places)
        _remember(self._articles, context._stated, article)
        return article


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    """Keep a value in a bounded memo (emptied when full: a new run of articles)."""
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _candidacy(
    candidate: Candidate,
    others: list[Candidate],
    biggest: int,
    cue: Cue | Literal["whole"] | None,
    generic: bool,
) -> _Candidacy:
    """A candidate with the reasons for its score that are the same in every article."""
    place = candidate.place
    # A spelling match, a common word, a village, or an alternate name of a town: only
    # where the article's places are ("Deir" is no Dyer, Indiana, "Levant" no village
    # of Maine, in an article about Syria that names the United States).
    small = place.population < VILLAGE or (
        candidate.match is MatchKind.ALTERNATE and place.population < SMALL_TOWN
    )
    weak = generic or candidate.match is MatchKind.FUZZY or (small and place.feature_class == "P")
    reasons = [
        ("match", _match_score(candidate)),
        ("importance", _importance(place, others if cue is None else [])),
        ("cue", _cue_fit(place, cue)),
        ("small-namesake", _small_namesake(place, biggest)),
    ]
    return _Candidacy(candidate, _kept(reasons), weak)


def _score(candidacy: _Candidacy, evidence: _Evidence, generic: bool) -> Ranked | None:
    """A candidate's score in its article: the name's own reasons, then the article's."""
    place = candidacy.candidate.place
    if (
        candidacy.candidate.match is MatchKind.FUZZY
        and place.country_code not in evidence.place_countries
    ):
        return None  # a loose spelling match needs the article's places to be there
    reasons = [
        *_country_reasons(place, evidence, candidacy.weak),
        ("parent", _parent_fit(place, evidence.parent)),
        ("generic", GENERIC_NAME if generic else 0.0),
    ]
    kept = candidacy.fixed + _kept(reasons)
    return Ranked(place, round(sum([v for _, v in kept]), 3), kept)


def _kept(reasons: list[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """The reasons that count, rounded as ``Ranked`` shows them."""
    return tuple([(why, round(value, 3)) for why, value in reasons if value])


def _match_score(candidate: Candidate) -> float:
    """Own name over alternate name over skeleton, a skeleton's score falling with spelling."""
    return MATCH[candidate.match] - FUZZY_SPELLING * (1 - candidate.similarity)


def _importance(place: Place, others: list[Candidate]) -> float:
    """Feature kind and size: capitals, countries and provinces weigh like big cities."""
    size = 0.5 * math.log10(place.population + 1)
    if place.is_country:
        return max(size, COUNTRY_IMPORTANCE)
    if place.feature_class == "A":
        namesake = any(
            o.place.feature_class == "P"
            and (o.place.country_code, o.place.admin1_code)
            == (place.country_code, place.admin1_code)
            for o in others
        )
        return max(size, DIVISION_IMPORTANCE) + (NAMESAKE if namesake else 0.0)
    return size + (CAPITAL if place.feature_code == "PPLC" else 0.0)


def _biggest_city(candidates: list[Candidate]) -> int:
    """The population of the largest populated place that matches by name (0 if none).

    Worked out once per name, not once per candidate: a common name has hundreds.
    """
    return max(
        (
            c.place.population
            for c in candidates
            if c.place.feature_class == "P" and c.match is not MatchKind.FUZZY
        ),
        default=0,
    )


def _small_namesake(place: Place, biggest: int) -> float:
    """A town dwarfed by a city of the same name elsewhere (the ``biggest`` of its namesakes
    has that many people) is not what a bare name means."""
    if place.feature_class != "P":
        return 0.0
    return SMALL_NAMESAKE if biggest > NAMESAKE_RATIO * max(place.population, 1) else 0.0


def _cue_for(
    candidate: Candidate, cue: Cue | None, whole: dict[int, Candidate], cued: dict[int, Candidate]
) -> Cue | Literal["whole"] | None:
    """The cue a candidate answers to: none, the cue word, or its whole name ("whole")."""
    if cue is None:
        return None
    if (
        candidate.place.geonames_id in whole
        and whole[candidate.place.geonames_id].match < MatchKind.FUZZY
    ):
        return "whole"  # "Damascus countryside" is a name of Rif Dimashq, cue word and all
    return cue if candidate.place.geonames_id in cued else None


def _cue_fit(place: Place, cue: Cue | Literal["whole"] | None) -> float:
    """How well the feature fits what a cue word ("province", "city") asks for."""
    if cue is None:
        return 0.0
    if cue == "whole":
        return WHOLE_NAME
    wanted = {
        Cue.CITY: place.feature_class == "P",
        Cue.PROVINCE: place.is_admin1,
        Cue.DISTRICT: place.feature_code == "ADM2",
    }[cue]
    return CUE_FIT if wanted else CUE_MISFIT


def _country_reasons(place: Place, evidence: _Evidence, weak: bool) -> list[tuple[str, float]]:
    """Agreement with the article's countries: stated ones, or its other places' ones.

    The two are not added up: places of Syria in an article that names Syria are one
    piece of evidence, not two. A weak name counts only where the article's places are.
    """
    stated_shares = evidence.place_countries if weak else evidence.countries
    stated = stated_shares.get(place.country_code)
    coherent = COHERENT_COUNTRY * evidence.coherent_countries.get(place.country_code, 0.0)
    by_country = ("countries", IN_COUNTRIES + COUNTRY_SHARE * stated) if stated else None
    if by_country is None or coherent > by_country[1]:
        by_country = ("coherence", coherent)
    key = (place.country_code, place.admin1_code or "")
    reasons = [
        by_country,
        ("coherence-division", COHERENT_DIVISION * evidence.coherent_divisions.get(key, 0.0)),
    ]
    if (evidence.states_named or evidence.coherent_countries) and not by_country[1]:
        reasons.append(("foreign", FOREIGN))
    return reasons


def _parent_fit(place: Place, parent: tuple[Place, ...] | None) -> float:
    """Support from the containing place the text names ("X in Y")."""
    if not parent:
        return 0.0
    if place.admin1_code and any(
        (p.country_code, p.admin1_code) == (place.country_code, place.admin1_code)
        for p in parent
        if not p.is_country and p.geonames_id != place.geonames_id
    ):
        return PARENT_DIVISION
    if any(p.is_country and p.country_code == place.country_code for p in parent):
        return PARENT_COUNTRY
    return PARENT_MISFIT
