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
