"""From a parsed spaCy ``Doc`` to sentences and typed entity mentions, as plain data.

A mention is the exact span of a name in the article (without a leading "the" or a trailing
possessive), typed into one of the ontology's entity classes and keyed to the entity it
names. Keys are stable across articles: a curated entity's key comes from its canonical name
("the Syrian army" and "SAA" share ``syrian-arab-army``; "Israeli" is ``israel``), any other
name's from its own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.gazetteer import Gazetteer, KnownEntity, load_gazetteer, slug


class EntityKind(StrEnum):
    """The ontology class of an entity (``sk:`` local names)."""

    STATE = "State"
    ARMED_FORCE = "ArmedForce"
    ARMED_GROUP = "ArmedGroup"
    PERSON = "Person"
    ORGANIZATION = "Organization"
    FACILITY = "Facility"
    PLACE = "Place"


@dataclass(frozen=True)
class Sentence:
    """A sentence as character offsets into the article text (whitespace trimmed)."""

    begin: int
    end: int


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name in the article.

    Attributes:
        begin: offset of the first character in the article text.
        end: offset after the last character.
        text: the exact text, ``article.text[begin:end]``.
        sentence: index of the sentence that holds it.
        kind: the class of the entity it names.
        key: the entity's stable key.
        name: the entity's canonical name when curated, else the mention's own text.
    """

    begin: int
    end: int
    text: str
    sentence: int
    kind: EntityKind
    key: str
    name: str


@dataclass(frozen=True)
class Analysis:
    """What the entity stage found in one article."""

    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]


# Head words that make an organisation-like name a facility or an armed actor.
FACILITY_WORDS = frozenset(
    "airport airbase airfield base barracks hospital clinic school university college centre "
    "center complex facility facilities depot factory plant port prison mosque church market "
    "headquarters station bridge dam refinery camp".split()
)
FORCE_WORDS = frozenset("army forces force military navy guard guards corps troops".split())
GROUP_WORDS = frozenset(
    "militia militias brigade brigades battalion battalions front rebels insurgents movement "
    "jaish liwa faction factions fighters mujahideen".split()
)
PLACE_PREPOSITIONS = frozenset("in near outside around into across towards toward".split())
# Nouns for a settlement named after them ("the town of Milis", "the suburb of Jaramana").
SETTLEMENT_NOUNS = frozenset({"village", "town", "city", "suburb", "hamlet"})
PLACE_NOUNS = frozenset(
    "town village city suburb district neighbourhood neighborhood province governorate "
    "outskirts outskirt countryside area region hamlet settlement quarter".split()
)
# Capitalised headline words the model takes for place names.
HEADLINE_WORDS = frozenset(
    "airstrike airstrikes strike strikes blast blasts attack attacks raid raids bombing "
    "bombings explosion shelling massacre".split()
)
# The model sometimes takes a day or month for a place or an organisation.
CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)
_LEADING_DROP = frozenset({"the", "a", "an"})
_TRAILING_DROP = frozenset({"'s", "’s", "'", "’"})
_SPACY_KINDS = {
    "ARMED_FORCE": EntityKind.ARMED_FORCE,
    "ARMED_GROUP": EntityKind.ARMED_GROUP,
    "PERSON": EntityKind.PERSON,
    "LOC": EntityKind.PLACE,
}


@lru_cache(maxsize=1)
def document_text(doc: Doc) -> str:
    """``doc.text`` of the document being read, made once: spaCy joins every token on each
    access, and entities, linking and events each read the text of the same document."""
    return doc.text


def analyse(doc: Doc, gazetteer: Gazetteer | None = None) -> Analysis:
    """Find the sentences and typed mentions of a parsed article."""
    gazetteer = gazetteer or load_gazetteer()
    sentences: list[Sentence] = []
    index_of_start: dict[int, int] = {}
    text = document_text(doc)
    for sent in doc.sents:
        bounds = _trimmed_bounds(text, sent)
        if bounds is not None:
            index_of_start[sent.start] = len(sentences)
            sentences.append(Sentence(*bounds))
    mentions = []
    for ent in doc.ents:
        mention = _mention(ent, gazetteer, index_of_start.get(ent.sent.start))
        # A name the model ran across a sentence boundary is not one mention: drop it.
        if mention is not None and mention.end <= sentences[mention.sentence].end:
            mentions.append(mention)
    return Analysis(tuple(sentences), tuple(mentions))


def _trimmed_bounds(doc_text: str, span: Span) -> tuple[int, int] | None:
    text = doc_text[span.start_char : span.end_char]
    stripped = text.strip()
    if not stripped:
        return None
    begin = span.start_char + (len(text) - len(text.lstrip()))
    return begin, begin + len(stripped)


def _mention(ent: Span, gazetteer: Gazetteer, sentence: int | None) -> Mention | None:
    span = _trim(ent)
    if span is None or sentence is None or any(_garbled(t) for t in span) or _cut_short(span):
        return None
    typed = classify(span, gazetteer)
    if typed is None:
        return None
    kind, known = typed
    text = span.text
    return Mention(
        begin=span.start_char,
        end=span.end_char,
        text=text,
        sentence=sentence,
        kind=kind,
        key=known.key if known else slug(text),
        name=known.name if known else " ".join(text.split()),
    )


def _trim(ent: Span) -> Span | None:
    """Drop a leading article and a trailing possessive or punctuation from an entity span."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].lower_ in _LEADING_DROP or _is_filler(doc[start])):
        start += 1
    # "Ashara - Victims include...": a headline's spaced dash ends the name
    end = next((t.i for t in doc[start:end] if _spaced_dash(t)), end)
    while end > start and (doc[end - 1].lower_ in _TRAILING_DROP or _is_filler(doc[end - 1])):
        end -= 1
    if start == end:
        return None
    span = ent.doc[start:end]
    return Span(ent.doc, start, end, label=ent.label, span_id=ent.ent_id) if span.text else None


def _cut_short(span: Span) -> bool:
    """ "in Deir az- -": a headline cut off mid-name; the part left names nothing."""
    following = span.doc[span.end] if span.end < len(span.doc) else None
    return following is not None and len(following.text) > 1 and following.text.endswith("-")


def _spaced_dash(token: Token) -> bool:
    before = token.nbor(-1) if token.i > 0 else None
    return (
        token.text in {"-", "–", "—"}
        and bool(token.whitespace_)
        and bool(before and before.whitespace_)
    )


def _is_filler(token: Token) -> bool:
    # The model sometimes takes in the run of spaces that ends a paragraph, or a dangling
    # preposition of a headline ("al-Hosn Castle of").
    return token.is_punct or token.is_space or token.pos_ in {"ADP", "CCONJ"} or _garbled(token)


# Mis-decoded text ("Syriaâ€™s" read as Latin-1 and worse): C1 control characters, or "â"
# followed by no letter. No name is written with them.
_GARBLED = re.compile(r"[\x80-\x9f]|â(?![a-zA-Z])")


def _garbled(token: Token) -> bool:
    return _GARBLED.search(token.text) is not None


def classify(span: Span, gazetteer: Gazetteer) -> tuple[EntityKind, KnownEntity | None] | None:
    """Type an entity span into the ontology, preferring the curated gazetteer.

    Returns ``None`` for spans that name no actor, facility or place (dates, numbers,
    religions, languages...).
    """
    label = span.label_
    if span.text.lower() in CALENDAR_WORDS:
        return None
    known = _lookup(span, gazetteer)
    if known is not None:
        return EntityKind(known.kind), known
    if label == "NORP" and _names_place_noun(span):
        return EntityKind.PLACE, None  # "the town of Milis": the model took it for a people
    if label == "NORP" or label not in {"GPE", "LOC", "FAC", "ORG", "PERSON", *_SPACY_KINDS}:
        return None  # a demonym that names no state, or not a name at all
    if label in {"GPE", "LOC"} and _headline_words(span):
        return None  # "Airstrike", "Idleb Blast", "Village": capitalised words, not a place
    if label in {"PERSON", "ORG"} and _after_place_preposition(span):
        return EntityKind.PLACE, None  # "barracks in al-Safirah": the model said PERSON
    if label in _SPACY_KINDS:
        return _SPACY_KINDS[label], None
    if label == "GPE":
        return EntityKind.PLACE, None
    return _kind_by_words(span, default=EntityKind.FACILITY if label == "FAC" else None), None


def _lookup(span: Span, gazetteer: Gazetteer) -> KnownEntity | None:
    if span.ent_id_ and (found := gazetteer.by_key(span.ent_id_)) is not None:
        return found
    if span.label_ not in {"GPE", "NORP", "ORG", "FAC", "PERSON", "LOC"}:
        return None
    known = gazetteer.lookup(span.text)
    if known is None and span.label_ == "NORP" and span.text.endswith("s"):
        known = gazetteer.lookup(span.text[:-1])  # "Iranians" -> Iran
    if known is not None and known.kind == "State" and span.label_ not in {"GPE", "NORP"}:
        return None  # "Jordan" the person is not the state
    return known


def _headline_words(span: Span) -> bool:
    words = {t.lower_ for t in span}
    return bool(words & HEADLINE_WORDS) or words <= PLACE_NOUNS


def _after_place_preposition(span: Span) -> bool:
    """Whether the span is the object of a locative preposition ("in X", "near X")."""
    root = span.root
    if root.dep_ != "pobj" or {t.lower_ for t in span} & (
        FACILITY_WORDS | FORCE_WORDS | GROUP_WORDS
    ):
        return False
    preposition = root.head
    if preposition.lower_ == "of":  # "the border town of al-Bukamal"
        return preposition.head.lemma_.lower() in PLACE_NOUNS
    return preposition.lower_ in PLACE_PREPOSITIONS


def _names_place_noun(span: Span) -> bool:
    """Whether the span is the X of "the town of X", "the village of X"."""
    root = span.root
    return (
        root.dep_ == "pobj"
        and root.head.lower_ == "of"
        and root.head.head.lemma_.lower() in SETTLEMENT_NOUNS
    )


def _kind_by_words(span: Span, default: EntityKind | None) -> EntityKind:
    words = {token.lower_ for token in span}
    if words & FACILITY_WORDS and span[-1].lower_ in FACILITY_WORDS:
        return EntityKind.FACILITY
    if words & FORCE_WORDS:
        return EntityKind.ARMED_FORCE
    if words & GROUP_WORDS:
        return EntityKind.ARMED_GROUP
    return default or EntityKind.ORGANIZATION
