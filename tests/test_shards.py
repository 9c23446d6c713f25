"""Extraction as a map step (``kg extract``) and storing its shards (``kg load``), against the
store ``kg ingest`` builds from the same articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.errors import ConfigError, IngestError, KGError
from kg.extract import extract
from kg.load import load
from kg.mapping import Iris
from kg.store import KGStore
from kg.vocab import PROV
from tests.conftest import SEED_FILES, StoreFactory

pytestmark = pytest.mark.model

IRIS = Iris(Settings().base)
Quad = tuple[str, str, str, str]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> list[Path]:
    """The two seed articles, extracted into one shard each."""
    out = tmp_path_factory.mktemp("shards")
    report = extract(list(SEED_FILES), out, settings)
    assert (report.extracted, report.failed) == (2, [])
    return report.shards


def shard_quads(shard: Path) -> list[Quad]:
    return [
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in ox.parse(path=str(shard), format=ox.RdfFormat.N_QUADS)
    ]


def article_quads(store: KGStore) -> set[Quad]:
    return {q for q in store.quads() if q[3].startswith(f"<{IRIS.doc_graph_prefix}")}


def without_runs(store: KGStore) -> set[Quad]:
    """Every quad, with run IRIs blanked and what is said of the runs (their times) left out."""
    run = f"<{IRIS.run('')}"
    return {
        tuple("<run>" if term.startswith(run) else term for term in q)  # type: ignore[misc]
        for q in store.quads()
        if not q[0].startswith(run)
    }


def test_a_shard_holds_exactly_the_quads_ingest_stores(
    shards: list[Path], seed_store: KGStore
) -> None:
    extracted = [q for shard in shards for q in shard_quads(shard)]
    assert len(extracted) == len(set(extracted))  # no quad twice
    assert set(extracted) == article_quads(seed_store)
    assert [shard.name for shard in shards] == [f"{f.stem}.nq" for f in SEED_FILES]


def test_extraction_is_the_same_on_every_run(
    shards: list[Path], settings: Settings, tmp_path: Path
) -> None:
    again = extract(list(reversed(SEED_FILES)), tmp_path, settings.with_overrides(processes=2))
    for shard in shards:
        assert (tmp_path / shard.name).read_bytes() == shard.read_bytes()
    assert again.extracted == 2


def test_loaded_shards_give_the_store_ingest_builds(
    shards: list[Path], seed_store: KGStore, settings: Settings, tmp_path: Path
) -> None:
    with KGStore(tmp_path / "store") as store:
        report = load(shards, store, settings)
        assert (report.articles, report.stored, report.unchanged) == (2, 2, 0)
        assert without_runs(store) == without_runs(seed_store)
        generated = store.query(
            f"SELECT ?g WHERE {{ ?g <{PROV.wasGeneratedBy}> <{report.run}> }}"
        ).rows()
        assert {f"<{row['g']}>" for row in generated} == {q[3] for q in article_quads(store)}
        before = set(store.quads())
        again = load(shards, store, settings)
        assert (again.stored, again.unchanged, again.run) == (0, 2, None)
        assert set(store.quads()) == before


def test_a_bad_shard_is_refused_whole_and_the_others_are_stored(
    shards: list[Path], settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.nq"
    lines = shards[0].read_text(encoding="utf-8").splitlines(True)
    bad.write_text("".join([*lines[:5], "<urn:s> <urn:p> <urn:o> <urn:not-an-article> .\n"]))
    truncated = tmp_path / "truncated.nq"
    truncated.write_text("".join(lines[:3]) + '<urn:s> <urn:p> "no end', encoding="utf-8")
    errors: list[KGError] = []
    with KGStore(tmp_path / "store") as store:
        report = load([bad, truncated, shards[1]], store, settings, on_error=errors.append)
        assert report.stored == 1 and len(report.failed) == 2
        assert "urn:not-an-article" in report.failed[0] and "bad.nq" in report.failed[0]
        assert "truncated.nq" in report.failed[1]
        graphs = [g for g in store.named_graphs() if g.startswith(IRIS.doc_graph_prefix)]
        assert {f"<{g}>" for g in graphs} == {q[3] for q in shard_quads(shards[1])}
        assert list(map(str, errors)) == report.failed


def test_shards_must_come_from_one_extractor_and_name_it(
    shards: list[Path], settings: Settings, tmp_path: Path
) -> None:
    other = tmp_path / "other.nq"
    text = shards[1].read_text(encoding="utf-8")
    other.write_text(text.replace("software=", "software=9.9.9-", 1), encoding="utf-8")
    headless = tmp_path / "headless.nq"
    headless.write_text(text.split("\n", 1)[1], encoding="utf-8")
    with KGStore(tmp_path / "store") as store:
        with pytest.raises(IngestError, match="one extraction at a time"):
            load([shards[0], other], store, settings)
        with pytest.raises(IngestError, match="not a strike-kg shard"):
            load([headless], store, settings)
        assert not list(store.quads())


def test_two_inputs_of_one_name_are_refused(settings: Settings, tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(SEED_FILES[0], tmp_path / folder / "same.txt")
    with pytest.raises(ConfigError, match="distinct names"):
        extract([tmp_path / "a", tmp_path / "b"], tmp_path / "out", settings)
    assert not (tmp_path / "out").exists()


def test_the_commands_extract_then_load(make_store: StoreFactory, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "shards"
    result = runner.invoke(
        main, ["extract", "--processes", "1", "-o", str(out), *map(str, SEED_FILES)]
    )
    assert result.exit_code == 0, result.output
    assert "2 extracted into 2 shards" in result.output
    store = tmp_path / "store"
    result = runner.invoke(main, ["--store", str(store), "load", *map(str, sorted(out.iterdir()))])
    assert result.exit_code == 0, result.output
    assert "2 stored, 0 unchanged" in result.output
    result = runner.invoke(main, ["--store", str(store), "load", str(SEED_FILES[0])])
    assert result.exit_code == 1
    assert "not a strike-kg shard" in result.output


def test_graphs_a_bulk_loader_stored_are_consolidated_by_the_command(
    shards: list[Path], seed_store: KGStore, tmp_path: Path
) -> None:
    path = tmp_path / "store"
    with KGStore(path) as store:
        for shard in shards:
            store.load(shard.read_bytes(), "nquads")  # as a server's own loader would
    result = CliRunner().invoke(main, ["--store", str(path), "consolidate"])
    assert result.exit_code == 0, result.output
    generated = f"<{PROV.wasGeneratedBy}>"
    with KGStore(path) as store:
        consolidated = {q for q in without_runs(store) if q[1] != generated}
    assert consolidated == {q for q in without_runs(seed_store) if q[1] != generated}


def test_a_graph_dropped_then_loaded_again_names_one_run(
    shards: list[Path], settings: Settings, tmp_path: Path
) -> None:
    with KGStore(tmp_path / "store") as store:
        load(shards, store, settings)
        graph = next(g for g in store.named_graphs() if g.startswith(IRIS.doc_graph_prefix))
        store.update(f"DROP GRAPH <{graph}>")  # as SPARQL Update on the endpoint would
        again = load(shards, store, settings)
        runs = store.query(f"SELECT ?run WHERE {{ <{graph}> <{PROV.wasGeneratedBy}> ?run }}")
        assert [str(row["run"]) for row in runs.rows()] == [again.run]
