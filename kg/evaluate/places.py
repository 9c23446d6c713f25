"""Place detection and linking, scored against the places the gold lists for each article.

Only articles whose gold line lists ``entities`` are scored. Places compare by name
(``place_key``, with words like "province" kept): a gold place is found when some place
mention of the article has its written or canonical name; a mentioned name that is no gold
place's is a false positive. Each distinct name counts once per article.

Linking is scored on the found places the gold gives a GeoNames id: of those the extractor
linked, how many it linked to that id (accuracy), and how many it linked at all (coverage).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.evaluate.gold import GoldDoc, GoldPlace
from kg.evaluate.predicted import StoredArticle, geonames_id
from kg.evaluate.results import Counts, PlaceScore
from kg.evaluate.text import place_key
from kg.store import KGStore, values_blocks
from kg.vocab import ITSRDF, NIF, SK, SKOS

_GEONAMES = "http://sws.geonames.org/"


@dataclass(frozen=True)
class PlaceMention:
    """A place mention as stored: its words and the GeoNames id of its entity, if linked."""

    text: str
    geonames: int | None


def score_places(
    docs: Iterable[GoldDoc], mentions: Mapping[str, Sequence[PlaceMention]]
) -> PlaceScore | None:
    """Score the place mentions of each gold article that lists its places.

    Returns ``None`` when no gold article lists its entities.

    Example:
        >>> gold = GoldDoc("d", "g:1", (), (GoldPlace("al-Safirah", "As Safirah", 172503),
        ...                                GoldPlace("Aleppo", None, 170063)))
        >>> found = {"d": [PlaceMention("al-Safira", None), PlaceMention("Safirah", 172503),
        ...                PlaceMention("Homs", 169577)]}
        >>> score = score_places([gold], found)
        >>> score.detection, score.with_id, score.linked, score.correct
        (Counts(tp=1, fp=2, fn=1), 1, 1, 1)
    """
    scored = [doc for doc in docs if doc.places is not None]
    if not scored:
        return None
    detection = Counts()
    with_id = linked = correct = 0
    for doc in scored:
        places = doc.places or ()
        ids_by_name: dict[str, set[int]] = defaultdict(set)
        for mention in mentions.get(doc.doc_id, ()):
            ids = ids_by_name[place_key(mention.text)]
            if mention.geonames is not None:
                ids.add(mention.geonames)
        claimed: set[str] = set()
        for place in _distinct(places):
            names = _names(place) & set(ids_by_name)
            claimed |= _names(place)
            if not names:
                detection += Counts(fn=1)
                continue
            detection += Counts(tp=1)
            if place.geonames is not None:
                found = set().union(*(ids_by_name[n] for n in names))
                with_id += 1
                linked += bool(found)
                correct += place.geonames in found
        detection += Counts(fp=len(set(ids_by_name) - claimed))
    return PlaceScore(len(scored), detection, with_id, linked, correct)


def _names(place: GoldPlace) -> set[str]:
    return {place_key(n) for n in (place.text, place.canonical) if n}


def _distinct(places: Iterable[GoldPlace]) -> list[GoldPlace]:
    """One gold place per name: the gold lists a place once per way it is written."""
    seen: set[str] = set()
    kept = []
    for place in places:
        if not _names(place) & seen:
            kept.append(place)
        seen |= _names(place)
    return kept


def load_place_mentions(
    store: KGStore, articles: Iterable[StoredArticle]
) -> dict[str, list[PlaceMention]]:
    """Every mention the extractor typed as a place, by article id."""
    by_iri = {a.iri: a.doc_id for a in articles}
    found: dict[str, list[PlaceMention]] = defaultdict(list)
    for values in values_blocks("doc", by_iri):
        query = f"""SELECT ?doc ?text ?link WHERE {{
            {values}
            GRAPH ?g {{ ?m <{NIF.referenceContext}> ?doc ; <{NIF.anchorOf}> ?text ;
                          <{ITSRDF.taClassRef}> <{SK.Place}> ; <{ITSRDF.taIdentRef}> ?e }}
            OPTIONAL {{ ?e <{SKOS.exactMatch}> ?link FILTER(STRSTARTS(STR(?link), "{_GEONAMES}")) }}
        }}"""
        for row in store.query(query).rows():
            link = geonames_id(str(row["link"])) if "link" in row else None
            found[by_iri[str(row["doc"])]].append(PlaceMention(str(row["text"]), link))
    return found
