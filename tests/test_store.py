"""Writing article graphs: graphs new to the store go in with the bulk loader, in groups that
are stored whole or not at all; graphs the store holds are replaced in a transaction."""

from __future__ import annotations

import re
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import store as store_module
from kg.errors import StoreError
from kg.store import GraphStatement, KGStore

RUN_GRAPH = "urn:test:kg"


def graph_text(name: str, statements: int) -> str:
    return "".join(f'<urn:{name}:s{i}> <urn:test:p> "{name} {i}" .\n' for i in range(statements))


def said() -> GraphStatement:
    return GraphStatement(RUN_GRAPH, "urn:test:generatedBy", "urn:test:run")


def quads_by_graph(store: KGStore) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows()
    return {str(row["g"]): int(str(row["n"])) for row in rows}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KGStore]:
    with KGStore(tmp_path / "kg") as opened:
        yield opened


def test_new_graphs_are_stored_whole_with_what_is_said_of_them(store: KGStore) -> None:
    store.replace_graphs({f"urn:g{i}": graph_text(f"g{i}", 5) for i in range(3)}, said=said())
    assert quads_by_graph(store) == {"urn:g0": 5, "urn:g1": 5, "urn:g2": 5, RUN_GRAPH: 3}


def test_a_bad_statement_stores_nothing_of_the_new_graphs_and_names_the_line(
    store: KGStore,
) -> None:
    store.replace_graphs({"urn:kept": graph_text("kept", 2)})
    graphs = {"urn:a": graph_text("a", 3), "urn:b": '<urn:b> <urn:p> "unterminated .\n'}
    with pytest.raises(StoreError, match=r"graph <urn:b>: .*line 1"):
        store.replace_graphs(graphs, said=said())
    assert quads_by_graph(store) == {"urn:kept": 2}


def test_new_graphs_go_in_groups_under_the_atomic_size_and_a_larger_graph_alone(
    store: KGStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[int] = []
    bulk_load = KGStore._bulk_load

    def counted(self: KGStore, graphs: dict[str, str]) -> None:
        loads.append(sum(text.count("\n") for text in graphs.values()))
        bulk_load(self, graphs)

    monkeypatch.setattr(store_module, "BULK_ATOMIC_QUADS", 10)
    monkeypatch.setattr(KGStore, "_bulk_load", counted)
    sizes = {"urn:a": 4, "urn:b": 4, "urn:c": 4, "urn:big": 25, "urn:d": 1}
    store.replace_graphs({iri: graph_text(iri[4:], n) for iri, n in sizes.items()})
    assert loads == [8, 5]  # a+b, then c+d; the big graph went in a transaction
    assert quads_by_graph(store) == sizes


def test_a_stored_graph_is_replaced_and_a_new_one_added_in_the_same_call(store: KGStore) -> None:
    store.replace_graphs({"urn:old": graph_text("old", 4)}, said=said())
    store.replace_graphs(
        {"urn:old": graph_text("old", 2), "urn:new": graph_text("new", 3)}, said=said()
    )
    assert quads_by_graph(store) == {"urn:old": 2, "urn:new": 3, RUN_GRAPH: 2}
    store.replace_graphs({"urn:old": ""}, said=said())
    assert quads_by_graph(store) == {"urn:new": 3, RUN_GRAPH: 1}


def test_a_reopened_store_keeps_bulk_loaded_graphs(tmp_path: Path) -> None:
    with KGStore(tmp_path / "kg") as store:
        store.replace_graphs({"urn:g": graph_text("g", 7)})
    with KGStore(tmp_path / "kg", read_only=True) as reopened:
        assert quads_by_graph(reopened) == {"urn:g": 7}


def test_a_store_reopened_in_place_keeps_what_was_written_and_takes_more(tmp_path: Path) -> None:
    with KGStore(tmp_path / "kg") as store:
        store.replace_graphs({"urn:a": graph_text("a", 3)}, said=said())
        store.update('INSERT DATA { GRAPH <urn:b> { <urn:b:s> <urn:test:p> "b" } }')
        store.reopen()
        assert quads_by_graph(store) == {"urn:a": 3, "urn:b": 1, RUN_GRAPH: 1}
        store.replace_graphs({"urn:c": graph_text("c", 2)})
        assert quads_by_graph(store) == {"urn:a": 3, "urn:b": 1, RUN_GRAPH: 1, "urn:c": 2}


def test_a_store_reopened_with_few_table_files_keeps_them_few_and_the_process_limit_as_it_was(
    tmp_path: Path,
) -> None:
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)

    def open_files_allowed() -> str:
        # RocksDB records the options it opened with; the newest file is the current one.
        options = max(tmp_path.glob("kg/OPTIONS-*"), key=lambda path: int(path.name[8:]))
        return str(re.findall(r"max_open_files=(-?\d+)", options.read_text())[0])

    with KGStore(tmp_path / "kg") as store:
        store.replace_graphs({"urn:a": graph_text("a", 3)})
        store.reopen(table_files=64)
        assert open_files_allowed() == "64"
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == limit
        store.replace_graphs({"urn:b": graph_text("b", 2)})
        assert quads_by_graph(store) == {"urn:a": 3, "urn:b": 2}
        store.reopen()
        assert open_files_allowed() != "64"


def test_an_in_memory_store_is_left_as_it_is_by_a_reopening() -> None:
    store = KGStore()
    store.replace_graphs({"urn:a": graph_text("a", 2)})
    store.reopen()
    assert quads_by_graph(store) == {"urn:a": 2}
