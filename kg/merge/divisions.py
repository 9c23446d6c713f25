"""The first-level division of places GeoNames does not know, read from the articles.

A village the gazetteer does not list ("Khan Tuman") still lies in a province, and the
articles that name it usually say which: a known place right next to it ("Khan Tuman near
Aleppo", "Kanasba in Latakia province"), or the known places of the whole article when
nearly all of them lie in one province. Each mention votes for a division; a place nearby
counts twice as much as the article at large, and the division with the most votes wins
(ties to the smallest GeoNames id, so the answer does not depend on ingest order).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from kg.linking import PlaceGazetteer
from kg.linking.mentions import geonames_id_of
from kg.store import KGStore, values_blocks
from kg.vocab import ITSRDF, NIF, SK

# How far (in characters) a known place may stand from the name to say where it is.
NEARBY_CHARS = 60
NEARBY_VOTE, ARTICLE_VOTE = 2, 1
# An article's places must name one division this many times to vouch for the others.
ARTICLE_MIN_MENTIONS = 2
# ...and hold this share of its place mentions ("Aleppo" thrice to "Idlib" once).
ARTICLE_MIN_SHARE = 2 / 3


@dataclass(frozen=True)
class _Mention:
    graph: str
    sentence: str
    begin: int
    end: int


def contextual_divisions(
    store: KGStore, unlinked: Mapping[str, str], places: PlaceGazetteer
) -> dict[str, int]:
    """The GeoNames id of the first-level division of each unlinked place, where the
    articles settle it.

    Args:
        unlinked: entity IRI -> key of each place entity without a GeoNames link.
    """
    votes: dict[str, Counter[int]] = defaultdict(Counter)
    for entities in values_blocks("e", unlinked):
        mentions: dict[str, list[_Mention]] = defaultdict(list)
        for entity, mention in _mentions(store, entities):
            mentions[entity].append(mention)
        graphs = {m.graph for found in mentions.values() for m in found}
        known = _known_places(store, graphs, places)
        by_article = {g: _article_division(known.get(g, [])) for g in graphs}
        for entity, found in mentions.items():
            for mention in found:
                nearby = _nearby_division(mention, known.get(mention.graph, []))
                if nearby is not None:
                    votes[entity][nearby] += NEARBY_VOTE
                elif (article := by_article[mention.graph]) is not None:
                    votes[entity][article] += ARTICLE_VOTE
    return {
        entity: min(counts, key=lambda division: (-counts[division], division))
        for entity, counts in votes.items()
        if counts
    }


@dataclass(frozen=True)
class _Known:
    mention: _Mention
    division: int


def _mentions(
    store: KGStore, values: str, of_places: bool = False
) -> Iterator[tuple[str, _Mention]]:
    """The entity and place in the text of every mention a ``VALUES`` block selects (of
    some entities ``?e``, or in some article graphs ``?g``), or only of its mentions that
    name places (``of_places``)."""
    # The VALUES block comes first: Oxigraph then looks each value up in the indexes; after
    # the pattern, it would read the pattern for every graph of the store and join.
    place = f"<{ITSRDF.taClassRef}> <{SK.Place}> ;" if of_places else ""
    query = f"""SELECT ?e ?g ?s ?b ?x WHERE {{ {values}
        GRAPH ?g {{ ?m {place} <{ITSRDF.taIdentRef}> ?e ; <{NIF.sentence}> ?s ;
                      <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?x }} }}"""
    for row in store.query(query).rows():
        mention = _Mention(str(row["g"]), str(row["s"]), int(str(row["b"])), int(str(row["x"])))
        yield str(row["e"]), mention


def _known_places(
    store: KGStore, graphs: Iterable[str], places: PlaceGazetteer
) -> dict[str, list[_Known]]:
    """Each article's mentions of linked places (countries aside), with their division."""
    found: dict[str, list[_Known]] = defaultdict(list)
    divisions: dict[str, int | None] = {}
    for values in values_blocks("g", graphs):
        for entity, mention in _mentions(store, values, of_places=True):
            if entity not in divisions:
                divisions[entity] = _division_of(entity, places)
            if (division := divisions[entity]) is not None:
                found[mention.graph].append(_Known(mention, division))
    return found


def _division_of(entity: str, places: PlaceGazetteer) -> int | None:
    """The division a linked place lies in (a division is its own)."""
    geonames_id = geonames_id_of(entity.rsplit("/", 1)[-1])
    place = places.place(geonames_id) if geonames_id is not None else None
    if place is None or place.is_country or not place.admin1_code:
        return None
    if place.is_admin1:
        return place.geonames_id
    return places.admin1_id(place.country_code, place.admin1_code)


def _nearby_division(mention: _Mention, known: list[_Known]) -> int | None:
    """The division of the closest known place in the same sentence, if close enough."""
    distances = [
        (_gap(mention, k.mention), k.division)
        for k in known
        if k.mention.sentence == mention.sentence
    ]
    close = [(gap, division) for gap, division in distances if gap <= NEARBY_CHARS]
    return min(close)[1] if close else None


def _gap(a: _Mention, b: _Mention) -> int:
    return max(b.begin - a.end, a.begin - b.end, 0)


def _article_division(known: list[_Known]) -> int | None:
    """The division the article's known places lie in, if it names it often enough and
    (nearly) alone."""
    divisions = Counter(k.division for k in known)
    if not divisions:
        return None
    division, count = min(divisions.items(), key=lambda item: (-item[1], item[0]))
    share = count / sum(divisions.values())
    return division if count >= ARTICLE_MIN_MENTIONS and share >= ARTICLE_MIN_SHARE else None
