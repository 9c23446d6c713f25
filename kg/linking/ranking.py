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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from kg.gazetteer import load_gazetteer
from kg.linking.candidates import Candidate, MatchKind, PlaceGazetteer
from kg.linking.geonames import Place
from kg.linking.names import Cue, fold, name_key, split_cue, split_parent
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
_Stated = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]


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

    @property
    def place_countries(self) -> Mapping[str, float]:
        """Where the article's places are: its other places' countries, else its main state.

        Weak names (skeleton matches, common words) need this stricter evidence: an
        article about Syria names the United States as an actor, not as a place.
        """
        if self.coherent_countries:
            return self.coherent_countries
        top = max(self.countries.values(), default=0.0)
        return {iso: share for iso, share in self.countries.items() if share == top}


class PlaceLinker:
    """Links place names to GeoNames places over one gazetteer."""

    def __init__(self, gazetteer: PlaceGazetteer) -> None:
        self.gazetteer = gazetteer
        self._first_pass: dict[tuple[str, _Stated], Place | None] = {}

    def link(self, name: str, context: LinkContext | None = None) -> Place | None:
        """The place ``name`` refers to, or ``None`` when the evidence does not settle it."""
        ranked = self.rank(name, context)
        if not ranked or ranked[0].score < MIN_SCORE:
            return None
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < MARGIN:
            return None
        return ranked[0].place

    def rank(self, name: str, context: LinkContext | None = None) -> list[Ranked]:
        """Every candidate of ``name``, best first, with its score and reasons."""
        context = context or LinkContext()
        head, parent = split_parent(name)
        if context.parent is None and parent is not None:
            context = replace(context, parent=parent)
        base, cue = split_cue(head)
        # "Old City", "Kuwait City": places named with the cue word are not asked for by it.
        whole = {c.place.geonames_id: c for c in self.gazetteer.matches(head, fuzzy=cue is None)}
        cued = {c.place.geonames_id: c for c in self.gazetteer.matches(base)} if cue else {}
        candidates = list({**whole, **cued}.values())
        evidence = self._evidence(base, context)
        generic = all(word in COMMON_WORDS for word in fold(head).split())
        ranked = [
            self._score(c, candidates, _cue_for(c, cue, whole, cued), evidence, generic)
            for c in candidates
        ]
        kept = [r for r in ranked if r is not None]
        return sorted(kept, key=lambda r: (-r.score, r.place.geonames_id))

    def _evidence(self, base: str, context: LinkContext) -> _Evidence:
        stated = Counter(context.countries) + Counter(context.forces)
        total = sum(stated.values())
        shares = {iso: n / total for iso, n in stated.items()} if total else {}
        own_key = name_key(base)
        others = [p for p in context.places if name_key(split_cue(p)[0]) != own_key]
        countries: defaultdict[str, float] = defaultdict(float)
        divisions: defaultdict[tuple[str, str], float] = defaultdict(float)
        resolved = list(self._resolve(others, context))
        for place in resolved:
            countries[place.country_code] += 1 / len(resolved)
            if place.admin1_code:
                divisions[place.country_code, place.admin1_code] += 1 / len(resolved)
        parent = None
        if context.parent and name_key(context.parent) != own_key:
            parent = tuple(self.gazetteer.candidates(context.parent))
        return _Evidence(shares, bool(context.countries), countries, divisions, parent)

    def _resolve(self, names: list[str], context: LinkContext) -> Iterator[Place]:
        """Link the article's other places on their own (first pass) for coherence votes."""
        countries = LinkContext(context.countries, forces=context.forces)
        stated = (
            tuple(sorted(countries.countries.items())),
            tuple(sorted(countries.forces.items())),
        )
        for name in names:
            key = (name, stated)
            if key not in self._first_pass:
                if len(self._first_pass) >= _MEMO_LIMIT:
                    self._first_pass.clear()
                self._first_pass[key] = self.link(name, countries)
            if (place := self._first_pass[key]) is not None:
                yield place

    def _score(
        self,
        candidate: Candidate,
        others: list[Candidate],
        cue: Cue | Literal["whole"] | None,
        evidence: _Evidence,
        generic: bool,
    ) -> Ranked | None:
        place = candidate.place
        # A spelling match, a common word, a village, or an alternate name of a town: only
        # where the article's places are ("Deir" is no Dyer, Indiana, "Levant" no village
        # of Maine, in an article about Syria that names the United States).
        small = place.population < VILLAGE or (
            candidate.match is MatchKind.ALTERNATE and place.population < SMALL_TOWN
        )
        weak = (
            generic or candidate.match is MatchKind.FUZZY or (small and place.feature_class == "P")
        )
        if (
            candidate.match is MatchKind.FUZZY
            and place.country_code not in evidence.place_countries
        ):
            return None  # a loose spelling match needs the article's places to be there
        reasons = [
            ("match", _match_score(candidate)),
            ("importance", _importance(place, others if cue is None else [])),
            ("cue", _cue_fit(place, cue)),
            ("small-namesake", _small_namesake(place, others)),
            *_country_reasons(place, evidence, weak),
            ("parent", _parent_fit(place, evidence.parent)),
            ("generic", GENERIC_NAME if generic else 0.0),
        ]
        kept = tuple((why, round(value, 3)) for why, value in reasons if value)
        return Ranked(place, round(sum(v for _, v in kept), 3), kept)


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


def _small_namesake(place: Place, others: list[Candidate]) -> float:
    """A town dwarfed by a city of the same name elsewhere is not what a bare name means."""
    if place.feature_class != "P":
        return 0.0
    dwarfed = any(
        o.place.feature_class == "P"
        and o.match is not MatchKind.FUZZY
        and o.place.population > NAMESAKE_RATIO * max(place.population, 1)
        for o in others
    )
    return SMALL_NAMESAKE if dwarfed else 0.0


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
