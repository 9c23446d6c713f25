"""Linking places to GeoNames: candidate generation, then ranking with the article's context.

The split follows scispacy's ``candidate_generation.py``/``linking.py``: ``geonames`` reads
the data sources, ``candidates`` indexes names and generates candidates, ``ranking`` scores
them in context and abstains when unsure.

Example:
    >>> place = link("al-Safirah", LinkContext.of(["SY", "IL"], ["Aleppo province"]))
    >>> place.geonames_id, place.iri
    (172503, 'http://sws.geonames.org/172503/')
"""

from __future__ import annotations

from kg.linking.candidates import Candidate, Gazetteer, MatchKind, PlaceGazetteer, PlaceIndex
from kg.linking.geonames import LinkingError, Place
from kg.linking.nested import nested_place as _nested_place
from kg.linking.ranking import LinkContext, PlaceLinker, Ranked, countries_named
from kg.linking.sources import (
    countries,
    default_gazetteer,
    default_index_path,
    dump_gazetteer,
    gazetteer_identity,
    place_gazetteer,
)

__all__ = [
    "Candidate",
    "Gazetteer",
    "LinkContext",
    "LinkingError",
    "MatchKind",
    "Place",
    "PlaceGazetteer",
    "PlaceIndex",
    "PlaceLinker",
    "Ranked",
    "countries",
    "countries_named",
    "country_place",
    "default_gazetteer",
    "default_index_path",
    "dump_gazetteer",
    "gazetteer_identity",
    "link",
    "nested_place",
    "place_gazetteer",
]


def link(
    name: str, context: LinkContext | None = None, gazetteer: PlaceGazetteer | None = None
) -> Place | None:
    """The GeoNames place ``name`` refers to in its article, or ``None`` when unsure.

    Uses the configured gazetteer (``place_gazetteer``) unless one is given.
    """
    return PlaceLinker(gazetteer or place_gazetteer()).link(name, context)


def nested_place(name: str, gazetteer: PlaceGazetteer | None = None) -> str | None:
    """The known place inside a facility or organisation name, if any.

    Example:
        >>> nested_place("Damascus International Airport"), nested_place("Aleppo University")
        ('Damascus', 'Aleppo')
    """
    return _nested_place(name, gazetteer or place_gazetteer())


def country_place(iso: str) -> Place | None:
    """The GeoNames country with ISO code ``iso`` (for linking a ``State``).

    Example:
        >>> country_place("SY").geonames_id
        163843
    """
    return next((e.place for e in countries() if e.place.country_code == iso.upper()), None)
