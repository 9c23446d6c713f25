"""The strike-event lexicon (``kg/data/patterns/strikes.json``) and the spaCy matchers built
from it.

Word lists live in the pattern file, not in code, so that analysts can extend them; this
module turns them into lemma sets and phrase matchers for multi-word weapon and outcome
expressions ("barrel bomb", "shot down").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from kg.events.model import Outcome, StrikeType, Weapon
from kg.resources import DATA_DIR

PATTERN_FILE = DATA_DIR / "patterns" / "strikes.json"
CAPTION = "caption"


@dataclass(frozen=True)
class Lexicon:
    """Lemma sets of the strike lexicon."""

    trigger_nouns: frozenset[str]
    weak_nouns: frozenset[str]
    trigger_verbs: frozenset[str]
    weak_verbs: frozenset[str]
    weapons: dict[Weapon, tuple[str, ...]]
    weapon_words: dict[str, Weapon]
    strike_types: dict[Weapon, StrikeType]
    outcomes: dict[Outcome, tuple[str, ...]]
    killed_words: frozenset[str]
    injured_words: frozenset[str]
    reporting_verbs: frozenset[str]
    hedges: frozenset[str]
    denials: frozenset[str]
    modal_blockers: frozenset[str]
    plan_verbs: frozenset[str]
    plan_nouns: frozenset[str]
    generic_markers: frozenset[str]
    place_nouns: frozenset[str]
    target_kinds: dict[str, tuple[str, ...]]
    generic_actors: dict[str, frozenset[str]]
    intercept_verbs: frozenset[str]
    definite_facilities: frozenset[str]
    not_targets: frozenset[str]
    source_nouns: frozenset[str]
    monitor_nouns: frozenset[str]
    explosive_carriers: frozenset[str]
    caption_markers: tuple[str, ...]

    @property
    def toll_words(self) -> frozenset[str]:
        """Words that count the dead or the wounded ("killed", "death", "wounded")."""
        return self.killed_words | self.injured_words

    def weapon_of(self, lemma: str) -> Weapon | None:
        """The weapon a single word names ("jet" -> Aircraft).

        Example:
            >>> load_lexicon().weapon_of("warplane")
            <Weapon.AIRCRAFT: 'Aircraft'>
        """
        return self.weapon_words.get(lemma)

    def strike_kind(self, weapon: Weapon | None, trigger: str) -> StrikeType:
        """The strike class a weapon, or else the trigger word, implies.

        Example:
            >>> load_lexicon().strike_kind(None, "car bombs")
            <StrikeType.BOMBING: 'Bombing'>
        """
        if weapon is not None:
            return self.strike_types[weapon]
        words = trigger.lower().split()
        if words and words[-1].rstrip("s") in {
            "bomb",
            "bombing",
            "blast",
            "explosion",
            "detonate",
            "explode",
        }:
            return StrikeType.BOMBING
        return StrikeType.STRIKE

    def target_kind(self, words: set[str]) -> str | None:
        """The facility kind that words of a target phrase name, if any."""
        for kind, names in self.target_kinds.items():
            if words & set(names):
                return kind
        return None


def _set(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(word.lower() for word in data[key])


@cache
def load_lexicon() -> Lexicon:
    """Read the pattern file once per process."""
    data = json.loads(PATTERN_FILE.read_text(encoding="utf-8"))
    weapons = {Weapon(k): tuple(v) for k, v in data["weapons"].items()}
    return Lexicon(
        trigger_nouns=_set(data, "trigger_nouns"),
        weak_nouns=_set(data, "weak_nouns"),
        trigger_verbs=_set(data, "trigger_verbs"),
        weak_verbs=_set(data, "weak_verbs"),
        weapons=weapons,
        weapon_words={w: weapon for weapon, ws in weapons.items() for w in ws if " " not in w},
        strike_types={Weapon(k): StrikeType(v) for k, v in data["strike_types"].items()},
        outcomes={Outcome(k): tuple(v) for k, v in data["outcomes"].items()},
        killed_words=_set(data, "killed_words"),
        injured_words=_set(data, "injured_words"),
        reporting_verbs=_set(data, "reporting_verbs"),
        hedges=_set(data, "hedges"),
        denials=_set(data, "denials"),
        modal_blockers=_set(data, "modal_blockers"),
        plan_verbs=_set(data, "plan_verbs"),
        plan_nouns=_set(data, "plan_nouns"),
        generic_markers=_set(data, "generic_markers"),
        place_nouns=_set(data, "place_nouns"),
        target_kinds={k: tuple(v) for k, v in data["target_kinds"].items()},
        generic_actors={k: frozenset(v) for k, v in data["generic_actors"].items()},
        intercept_verbs=_set(data, "intercept_verbs"),
        definite_facilities=_set(data, "definite_facilities"),
        not_targets=_set(data, "not_targets"),
        source_nouns=_set(data, "source_nouns"),
        monitor_nouns=_set(data, "monitor_nouns"),
        explosive_carriers=_set(data, "explosive_carriers"),
        caption_markers=tuple(data["caption_markers"]),
    )


class PhraseMatches:
    """Multi-word weapon and outcome expressions found in a doc, by lemma sequence.

    Built once per vocabulary; ``find`` returns ``(label, span)`` pairs sorted by position,
    where the label is ``weapon:<Weapon>``, ``outcome:<Outcome>`` or ``caption`` (words
    that mark a photo caption: "In this photo taken on June 8").
    """

    def __init__(self, vocab: Vocab, lexicon: Lexicon) -> None:
        # Lemmas catch plural nouns and inflected verbs; lower case catches words the
        # lemmatizer leaves alone (proper-noun-like "Tomahawk").
        self.by_lemma = PhraseMatcher(vocab, attr="LEMMA")
        self.by_lower = PhraseMatcher(vocab, attr="LOWER")
        for weapon, phrases in lexicon.weapons.items():
            self._add(vocab, f"weapon:{weapon.value}", phrases)
        for outcome, phrases in lexicon.outcomes.items():
            self._add(vocab, f"outcome:{outcome.value}", phrases)
        self._add(vocab, CAPTION, lexicon.caption_markers)

    def _add(self, vocab: Vocab, label: str, phrases: tuple[str, ...]) -> None:
        patterns = [Doc(vocab, words=phrase.split()) for phrase in phrases]
        self.by_lower.add(label, patterns)
        for pattern in patterns:
            for token in pattern:
                token.lemma_ = token.text
        self.by_lemma.add(label, patterns)

    def find(self, doc: Doc | Span) -> list[tuple[str, Span]]:
        spans = {
            (span.label_, span.start, span.end): span
            for matcher in (self.by_lemma, self.by_lower)
            for span in matcher(doc, as_spans=True)
        }
        return sorted(((label, span) for (label, _, _), span in spans.items()), key=_position)


def _position(match: tuple[str, Span]) -> tuple[int, int]:
    return match[1].start, match[1].end


@cache
def phrase_matches(vocab: Vocab) -> PhraseMatches:
    """The phrase matcher for a pipeline's vocabulary (one per process)."""
    return PhraseMatches(vocab, load_lexicon())
