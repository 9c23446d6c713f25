"""The ``kg`` command line, run through click's runner against real stores."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.linking.sources import DUMP_ADMIN1_ENV, DUMP_ENV
from kg.store import KGStore
from tests.conftest import SEED_FILES

GEONAMES = Path(__file__).parent / "data" / "geonames"

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "kg"
    result = run(path, "ingest", "--processes", "1", *map(str, SEED_FILES))
    assert result.exit_code == 0, result.output
    return path


def run(store: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--store", str(store), *args], input=stdin)


def test_ingest_reports_what_it_did(store_dir: Path) -> None:
    result = run(store_dir, "ingest", "--processes", "1", *map(str, SEED_FILES))
    assert result.exit_code == 0
    assert "2 articles read: 0 stored, 2 unchanged" in result.output


def test_ingest_skips_bad_input_with_its_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x1", "text": "Israeli jets hit a base near Homs."}\n{broken\n')
    result = run(tmp_path / "kg", "ingest", "--processes", "1", str(bad))
    assert result.exit_code == 1
    assert f"skipped: {bad}:2" in result.output
    assert "Traceback" not in result.output
    assert "1 stored" in result.output


def test_ingest_reads_stdin(tmp_path: Path) -> None:
    result = run(
        tmp_path / "kg",
        "ingest",
        "--processes",
        "1",
        "-",
        stdin="Israeli jets hit a base near Homs on Monday.\n",
    )
    assert result.exit_code == 0, result.output
    assert "1 stored" in result.output


@pytest.mark.parametrize("how", ["name", "file", "stdin"])
def test_query_takes_a_saved_name_a_file_or_stdin(
    store_dir: Path, tmp_path: Path, how: str
) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://schema.org/NewsArticle> }"
    if how == "name":
        result = run(store_dir, "query", "articles", "--format", "csv")
        assert len(list(csv.reader(io.StringIO(result.output)))) == 3
        return
    if how == "file":
        path = tmp_path / "count.rq"
        path.write_text(text)
        result = run(store_dir, "query", str(path), "--format", "json")
    else:
        result = run(store_dir, "query", "--format", "json", stdin=text)
    assert json.loads(result.output)["results"]["bindings"][0]["n"]["value"] == "2"


def test_query_table_output(store_dir: Path) -> None:
    result = run(store_dir, "query", "runs")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split()[:2] == ["run", "started"]
    assert result.output.rstrip().endswith("(1 row)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "no-such-query"], "no saved query called 'no-such-query'"),
        (["query", "../../no-such-file"], "is not a saved query name"),
        (["query", "missing.rq"], "does not exist"),
        (["query", "--format", "json"], "SPARQL syntax error"),
        (["dump", "--graph", "nope"], "no graph"),
    ],
)
def test_errors_are_one_line_without_traceback(
    store_dir: Path, args: list[str], message: str
) -> None:
    result = run(store_dir, *args, stdin="SELEC nothing")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("base", ["urn:x/", "https://example.org/a", "https://exa mple.org/"])
def test_a_base_that_is_not_an_http_iri_is_refused(store_dir: Path, base: str) -> None:
    result = CliRunner().invoke(main, ["--store", str(store_dir), "--base", base, "stats"])
    assert result.exit_code == 1
    assert f"base IRI {base!r} must be an http(s) IRI" in result.output


def test_list_saved_queries(store_dir: Path) -> None:
    result = run(store_dir, "query", "--list")
    assert "sentences-with-entities" in result.output


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("nquads", "nquads"), ("trig", "trig")])
def test_dataset_dumps_reparse_to_the_same_dataset(
    store_dir: Path, fmt: str, rdflib_format: str
) -> None:
    dumped = run(store_dir, "dump", "--format", fmt).stdout_bytes
    reference = run(store_dir, "dump", "--format", "nquads").stdout_bytes
    with_rdflib = Dataset().parse(data=dumped, format=rdflib_format)
    expected = Dataset().parse(data=reference, format="nquads")
    assert len(with_rdflib) == len(expected) > 1000
    for graph in expected.graphs():
        assert isomorphic(with_rdflib.graph(graph.identifier), graph), graph.identifier
    store = ox.Store()
    store.load(dumped, ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
    assert len(store) == len(expected)


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")]
)
def test_graph_dumps_reparse_isomorphic(store_dir: Path, fmt: str, rdflib_format: str) -> None:
    reference = Graph().parse(
        data=run(
            store_dir, "dump", "--graph", "ALJA2020050500029", "--format", "ntriples"
        ).stdout_bytes,
        format="nt",
    )
    dumped = run(store_dir, "dump", "--graph", "ALJA2020050500029", "--format", fmt).stdout_bytes
    assert isomorphic(Graph().parse(data=dumped, format=rdflib_format), reference)
    parsed = list(
        ox.parse(
            dumped,
            {
                "turtle": ox.RdfFormat.TURTLE,
                "jsonld": ox.RdfFormat.JSON_LD,
                "ntriples": ox.RdfFormat.N_TRIPLES,
            }[fmt],
        )
    )
    assert len(parsed) == len(reference)


def test_union_dump_in_turtle(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "union.ttl"
    assert run(store_dir, "dump", "--format", "turtle", "-o", str(out)).exit_code == 0
    assert len(Graph().parse(out)) > 1000


def test_stats_counts_articles_and_entities(store_dir: Path) -> None:
    counts = json.loads(run(store_dir, "stats", "--json").output)
    assert counts["articles"] == 2 and counts["sentences"] == 35
    assert counts["entities: State"] >= 5


def test_validate_passes_on_the_seed_graph(store_dir: Path) -> None:
    result = run(store_dir, "validate")
    assert result.exit_code == 0, result.output


def ingest_in_a_process(store: Path, text: str, *options: str, **env: str) -> None:
    """``kg [options] ingest -`` in a process of its own: gazetteers are loaded once per
    process, and the options reach the workers through the environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {DUMP_ENV, DUMP_ADMIN1_ENV}}
    command = [sys.executable, "-m", "kg.cli", "--store", str(store), *options]
    done = subprocess.run(
        [*command, "ingest", "--processes", "1", "-"],
        input=text,
        capture_output=True,
        text=True,
        env={**clean, **env},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def has_entity(store: Path, key: str, cls: str = "") -> bool:
    typed = f"a <https://w3id.org/strike-kg/ontology#{cls}>" if cls else "?p ?o"
    with KGStore(store, read_only=True) as kg:
        return kg.query(f"ASK {{ <https://w3id.org/strike-kg/id/entity/{key}> {typed} }}").boolean


def test_a_geonames_dump_is_the_gazetteer_when_given(tmp_path: Path) -> None:
    # The village is in the dump excerpt only; with the default gazetteer it stays unlinked.
    text = "Air strikes hit the village of Umm Jarin in Aleppo province on Monday.\n"
    admin1 = str(GEONAMES / "admin1CodesASCII.txt")
    dump = ("--geonames", str(GEONAMES / "allCountries.txt"), "--geonames-admin1", admin1)
    # The dump's index is kept beside the default one: here, in the test's directory.
    index = str(tmp_path / "default.sqlite")
    ingest_in_a_process(tmp_path / "dump", text, *dump, KG_GEONAMES_INDEX=index)
    ingest_in_a_process(tmp_path / "default", text)
    assert has_entity(tmp_path / "dump", "umm-jarin-99000004", "Place")
    assert has_entity(tmp_path / "default", "umm-jarin", "Place")
    assert list(tmp_path.glob("geonames-dump-allCountries-*.sqlite"))
    missing = CliRunner().invoke(main, ["--geonames", str(tmp_path / "nowhere.txt"), "stats"])
    assert missing.exit_code == 2 and "nowhere.txt" in missing.output


def test_users_add_their_own_actors_and_facilities(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text(
        "name,kind,aliases,country,wikidata,lat,long\n"
        "Jaysh al-Zahra,ArmedGroup,Zahra Army|al-Zahra Army,SY,,,\n"
        "Umm Jarin depot,Facility,the Umm Jarin depot,SY,,36.25,37.4\n",
        encoding="utf-8",
    )
    text = "Zahra Army fighters shelled the Umm Jarin depot near Aleppo on Monday.\n"
    ingest_in_a_process(tmp_path / "kg", text, "--gazetteer", str(mine))
    assert has_entity(tmp_path / "kg", "jaysh-al-zahra", "ArmedGroup")
    assert has_entity(tmp_path / "kg", "umm-jarin-depot", "Facility")
    with KGStore(tmp_path / "kg", read_only=True) as kg:
        depot = "<https://w3id.org/strike-kg/id/entity/umm-jarin-depot>"
        geo = "http://www.opengis.net/ont/geosparql#"
        query = f"SELECT ?wkt WHERE {{ {depot} <{geo}hasGeometry>/<{geo}asWKT> ?wkt }}"
        assert [str(r["wkt"]) for r in kg.query(query).rows()] == ["POINT(37.4 36.25)"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tkind\tlat\tlong\nSomething\tFacility\t95\t10\n", encoding="utf-8")
    command = [sys.executable, "-m", "kg.cli", "--store", str(tmp_path / "x")]
    done = subprocess.run(
        [*command, "--gazetteer", str(bad), "ingest", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"{bad}:2" in done.stdout + done.stderr
