"""Every saved query parses, runs on the seed graph and describes itself."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.queries import saved_queries, saved_query, store_stats
from kg.store import KGStore

SAVED = saved_queries()


def test_there_are_saved_queries() -> None:
    assert {q.name for q in SAVED} >= {
        "sentences-with-entities",
        "articles",
        "entities",
        "offset-check",
        "runs",
    }


@pytest.mark.model
@pytest.mark.parametrize("saved", SAVED, ids=[q.name for q in SAVED])
def test_saved_query_runs_on_the_seed_graph(seed_store: KGStore, saved: object) -> None:
    query = saved_query(saved.name)  # type: ignore[attr-defined]
    assert query.title and query.description
    rows = seed_store.query(query.text).rows()
    if query.name != "offset-check":  # the one query whose right answer is empty
        assert rows, f"{query.name} returned nothing on the seeds"


@pytest.mark.parametrize("name", ["../secret", "a/b", "", ".hidden", "x.rq"])
def test_saved_query_names_cannot_leave_the_directory(name: str) -> None:
    with pytest.raises(QueryError):
        saved_query(name)


@pytest.mark.model
def test_store_stats(seed_store: KGStore) -> None:
    stats = store_stats(seed_store)
    assert stats["articles"] == 2 and stats["runs"] == 1 and stats["mentions"] > 50


# strikes-by-attacker written plainly: each strike's attacker, date and place looked up in
# turn. The saved query is shaped for speed; it must answer the same.
PLAIN_STRIKES_BY_ATTACKER = """
PREFIX sk:   <https://w3id.org/strike-kg/ontology#>
PREFIX sem:  <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?attacker ?year (COUNT(DISTINCT ?strike) AS ?strikes)
       (GROUP_CONCAT(DISTINCT ?place; separator=" | ") AS ?places)
WHERE {
  ?strike sem:hasActor ?actor . ?actor rdfs:label ?attacker .
  OPTIONAL { ?strike sk:date ?day }
  OPTIONAL { ?strike sk:earliestDate ?from }
  BIND(COALESCE(STR(YEAR(?day)), STR(YEAR(?from)), "unknown") AS ?year)
  OPTIONAL { ?strike sem:hasPlace ?location . ?location rdfs:label ?place }
}
GROUP BY ?attacker ?year
"""


@pytest.mark.model
def test_strikes_by_attacker_answers_as_its_plain_form(corpus_store: KGStore) -> None:
    def answer(text: str) -> set[tuple[str, str, int, frozenset[str]]]:
        return {
            (
                str(row["attacker"]),
                str(row["year"]),
                int(str(row["strikes"])),
                frozenset(str(row.get("places", "")).split(" | ")),
            )
            for row in corpus_store.query(text).rows()
        }

    saved = answer(saved_query("strikes-by-attacker").text)
    assert len(saved) > 10
    assert saved == answer(PLAIN_STRIKES_BY_ATTACKER)
