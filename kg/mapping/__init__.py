"""From extracted plain data to RDF: the only stage that knows RDF terms.

Each article becomes one named graph, written as N-Triples text that the store loads in one
transaction. Things shared by many articles (canonical entities, merged strikes, ingest
runs) go to the ``{base}graph/kg`` graph, once each.
"""

from kg.mapping.articles import ArticleGraph, article_graph
from kg.mapping.iris import Iris
from kg.mapping.shared import (
    EntityRecord,
    RunInfo,
    entity_key,
    entity_triples,
    kind_of,
    run_triples,
)
from kg.mapping.strikes import strike_triples
from kg.mapping.terms import iri, literal

__all__ = [
    "ArticleGraph",
    "EntityRecord",
    "Iris",
    "RunInfo",
    "article_graph",
    "entity_key",
    "entity_triples",
    "iri",
    "kind_of",
    "literal",
    "run_triples",
    "strike_triples",
]
