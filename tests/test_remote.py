"""A SPARQL 1.1 server as the store: ``oxigraph serve``, started as a separate process."""

from __future__ import annotations

import json
import shutil
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.errors import StoreError
from kg.mapping import Iris
from kg.pipeline import ingest
from kg.queries import saved_queries
from kg.remote import Endpoints, SparqlStore
from kg.store import KGStore
from kg.web import create_app
from tests.conftest import SEED_FILES
from tests.servers import free_port, running_server

pytestmark = pytest.mark.model

IRIS = Iris(Settings().base)
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server whose default graph is the union of its graphs, on disk."""
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    command = [OXIGRAPH, "serve", "--location", str(folder / "data"), "--union-default-graph"]
    with running_server(
        [*command, "--bind", f"127.0.0.1:{port}"],
        port,
        folder / "server.log",
        health="/query?query=ASK%7B%7D",
    ) as url:
        yield url


@pytest.fixture(scope="module")
def remote(server: str, settings: Settings) -> SparqlStore:
    """The seed articles ingested into the server."""
    store = SparqlStore(server)
    report = ingest(SEED_FILES, store, settings)
    assert (report.stored, report.failed) == (2, [])
    return store


def without_runs(store: KGStore) -> set[tuple[str, ...]]:
    run = f"<{IRIS.run('')}"
    return {
        tuple("<run>" if term.startswith(run) else term for term in quad)
        for quad in store.quads()
        if not quad[0].startswith(run)
    }


def test_ingest_into_a_server_stores_what_the_embedded_store_holds(
    remote: SparqlStore, seed_store: KGStore
) -> None:
    assert without_runs(remote) == without_runs(seed_store)
    assert remote.named_graphs() == seed_store.named_graphs()


def test_ingesting_again_keeps_one_graph_per_article(
    remote: SparqlStore, settings: Settings
) -> None:
    before = set(remote.quads())
    report = ingest(SEED_FILES, remote, settings)
    assert (report.stored, report.unchanged) == (0, 2)
    assert set(remote.quads()) == before


def test_the_endpoint_answers_every_saved_query_from_the_server(
    remote: SparqlStore, seed_store: KGStore, settings: Settings
) -> None:
    served = create_app(settings.with_overrides(store_url=remote.url)).test_client()
    local = create_app(settings, seed_store).test_client()
    for saved in saved_queries():
        path = f"/sparql?query={urllib.parse.quote(saved.text)}"
        headers = {"Accept": "application/sparql-results+json"}
        answer = served.get(path, headers=headers)
        assert answer.status_code == 200, (saved.name, answer.text)
        expected = local.get(path, headers=headers).get_json()["results"]["bindings"]
        rows = answer.get_json()["results"]["bindings"]
        if saved.name != "runs":  # the runs differ: each store was built by its own
            assert _sorted(rows) == _sorted(expected), saved.name
    page = served.get("/")
    assert page.status_code == 200 and "Safira" in page.text


def test_the_graph_store_protocol_reads_an_article_graph_from_the_server(
    remote: SparqlStore, settings: Settings
) -> None:
    client = create_app(settings.with_overrides(store_url=remote.url)).test_client()
    graph = next(g for g in remote.named_graphs() if g.startswith(IRIS.doc_graph_prefix))
    answer = client.get(
        f"/graph-store?graph={urllib.parse.quote(graph)}",
        headers={"Accept": "application/n-triples"},
    )
    assert answer.status_code == 200
    assert answer.text.count("\n") == sum(1 for q in remote.quads() if q[3] == f"<{graph}>")


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match=r"cannot reach the SPARQL server at http://127\.0\.0\.1:9"
    ):
        SparqlStore("http://127.0.0.1:9").named_graphs()
    result = CliRunner().invoke(main, ["--store-url", "http://127.0.0.1:9", "stats"])
    assert result.exit_code == 1
    assert result.output.startswith("error: cannot reach the SPARQL server")
    with pytest.raises(StoreError, match="not an http"):
        Endpoints.of("localhost:7878")


def _sorted(rows: list[dict[str, object]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def test_backup_and_restore_refuse_a_server(server: str, tmp_path: Path) -> None:
    for command in ("backup", "restore"):
        result = CliRunner().invoke(main, ["--store-url", server, command, str(tmp_path / "b")])
        assert result.exit_code == 1
        assert "back it up and restore it with the server's own tools" in result.output
