"""``kg eval``: scoring a hand-made store against a small gold file with hand-checked numbers.

The fixture (``tests/data/evaluate/``) holds five articles: ``eval-a`` (three events, each
report right or wrong on chosen fields), ``eval-b`` (one report spanning two gold events),
``eval-c`` (a gold event split over two reports, gold text in mojibake, gold text absent
from the article), ``eval-d`` (no gold; crowd only) and ``eval-f`` (no report). The gold
article ``eval-e`` is not in the store. Comments in ``store.trig`` say what each report is for.
"""

from __future__ import annotations

import datetime
import doctest
import importlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.evaluate import EvaluationError, EvaluationResult, evaluate, read_gold, render, to_dict
from kg.evaluate.actors import ActorResolver
from kg.evaluate.crowd import main_report
from kg.evaluate.fields import FieldJudges, date_agrees
from kg.evaluate.gold import GoldEvent
from kg.evaluate.matching import FoldedText, locate_event, pair_events
from kg.evaluate.predicted import DateValue, EntityValue, PredictedReport
from kg.evaluate.text import parse_count, parse_crowd_date, place_key
from kg.ingest import Article, read_articles
from kg.store import KGStore
from tests.conftest import SHARED

DATA = Path(__file__).parent / "data" / "evaluate"
GOLD = DATA / "gold" / "gold.jsonl"
CROWD = DATA / "crowd.jsonl"
SHARED_EVAL = SHARED / "eval"
SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def fixture_store() -> KGStore:
    store = KGStore()
    store.load((DATA / "store.trig").read_bytes(), "trig")
    return store


@pytest.fixture(scope="module")
def result() -> EvaluationResult:
    return evaluate(fixture_store(), [GOLD], CROWD)


OFFSETS = """
    PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
    SELECT ?text ?b ?e ?anchor WHERE { ?s nif:beginIndex ?b ; nif:endIndex ?e ;
        nif:anchorOf ?anchor ; nif:referenceContext/nif:isString ?text }"""


def test_fixture_offsets_match_the_text() -> None:
    rows = fixture_store().query(OFFSETS).rows()
    assert len(rows) == 15  # 12 sentences, 3 argument mentions
    for row in rows:
        assert str(row["text"])[int(str(row["b"])) : int(str(row["e"]))] == str(row["anchor"])


def test_events_precision_recall_f1(result: EvaluationResult) -> None:
    events = result.events
    # 6 pairs; report c/1 (smaller half of a split event) is extra; b#0 (the smaller event
    # a report spans), c#2 (evidence not in the text) and e#0 (article absent) are missed.
    assert (events.counts.tp, events.counts.fp, events.counts.fn) == (6, 1, 3)
    assert events.counts.precision == pytest.approx(6 / 7)
    assert events.counts.recall == pytest.approx(6 / 9)
    assert events.counts.f1 == pytest.approx(0.75)
    assert (events.gold_docs, events.gold_events, events.reports) == (4, 9, 7)
    assert events.missing_docs == ("eval-e",)
    assert (events.evidence.exact, events.evidence.fuzzy, events.evidence.missing) == (8, 1, 1)
    assert result.missed == (("eval-b", 0), ("eval-c", 2), ("eval-e", 0))
    assert result.extra == ("https://w3id.org/strike-kg/id/doc/eval-c/report/1",)


@pytest.mark.parametrize(
    ("name", "n", "correct", "tp", "fp", "fn"),
    [
        ("type", 6, 4, 4, 3, 5),  # a#1 Bombing, c#0 generic Strike; extra c/1 AirStrike
        ("attacker", 6, 5, 3, 0, 3),  # a#2 gives Russia of "Syrian government and Russia"
        ("target", 6, 6, 5, 0, 1),  # army ~ military barracks, market ~ central market
        ("location", 6, 4, 4, 2, 5),  # a#2 wrong GeoNames id decides; c/2 gives no place
        ("location_geonames", 2, 1, 1, 1, 2),  # only a#0, a#2 and e#0 have a gold id
        # b/1's unlinked place: its sk:country; c/2 gives none; c/3 says Russia for Syria
        ("country", 6, 4, 4, 1, 5),
        ("date", 6, 5, 3, 1, 2),  # c#1: a month range for a gold day
        ("weapon", 6, 5, 5, 1, 4),
        ("outcome", 6, 5, 2, 1, 2),  # "unknown" is no value on either side
        ("killed", 6, 5, 3, 1, 1),  # a#1: 3 where the gold has none
        ("injured", 6, 5, 0, 1, 1),  # a#0: 5 for 7
        ("attributed_to", 6, 5, 2, 1, 1),  # "SOHR" via the gazetteer; a#2 gives one, gold none
        ("status", 6, 6, 6, 0, 3),
    ],
)
def test_field_scores(
    result: EvaluationResult, name: str, n: int, correct: int, tp: int, fp: int, fn: int
) -> None:
    score = result.field(name)
    assert (score.n, score.correct) == (n, correct)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (tp, fp, fn)
    assert score.accuracy == pytest.approx(correct / n)


def test_pairs_list_the_fields_they_got_wrong(result: EvaluationResult) -> None:
    wrong = {(p.doc_id, p.event): p.wrong for p in result.pairs}
    assert wrong == {
        ("eval-a", 0): ("injured",),
        ("eval-a", 1): ("type", "killed"),
        ("eval-a", 2): ("attacker", "location", "location_geonames", "outcome", "attributed_to"),
        ("eval-b", 1): (),
        ("eval-c", 0): ("type", "location", "country", "weapon"),
        ("eval-c", 1): ("country", "date"),
    }


def test_crowd_agreement(result: EvaluationResult) -> None:
    crowd = result.crowd
    assert crowd is not None
    # eval-x is not in the store; eval-f is, without a report.
    assert (crowd.rows, crowd.absent, crowd.with_report) == (5, 1, 4)
    assert crowd.coverage == pytest.approx(0.8)
    # location: a via al-Safira's division "Aleppo Governorate", c via an altLabel, d by
    # label; b says Damascus. actor: a Israeli, d "Syrian regime forces"; c has no attacker.
    # date: only d (a's crowd date is the publication date). casualties: c has no figure.
    expected = {"location": (4, 3), "actor": (3, 2), "date": (3, 1), "casualties": (4, 3)}
    assert {a.name: (a.n, a.agree) for a in crowd.aspects} == expected
    assert "publication dates" in crowd.note


def test_without_crowd_file_there_is_no_crowd_score() -> None:
    assert evaluate(fixture_store(), [GOLD]).crowd is None


# -- matching edge cases ----------------------------------------------------------------


def event(index: int, *evidence: str, **fields: object) -> GoldEvent:
    return GoldEvent("d", index, "Strike", evidence=evidence, **fields)  # type: ignore[arg-type]


def report(name: str, *spans: tuple[int, int], **fields: object) -> PredictedReport:
    return PredictedReport(name, "d", spans, **fields)  # type: ignore[arg-type]


TEXT = FoldedText("Rockets hit Jaramana. A car bomb exploded near the central market of Jaramana.")


def test_a_report_spanning_two_gold_events_matches_the_larger_overlap() -> None:
    short = locate_event(event(0, "Rockets hit Jaramana."), TEXT)
    long = locate_event(event(1, "A car bomb exploded near the central market of Jaramana."), TEXT)
    pairs, missed, extra = pair_events([short, long], [report("r", (0, 21), (22, 78))])
    assert [(p.gold.event.index, p.overlap) for p in pairs] == [(1, 56)]
    assert missed == [short] and extra == []


def test_a_gold_event_split_over_two_reports_leaves_one_extra() -> None:
    both = locate_event(event(0, "Rockets hit Jaramana.", "A car bomb exploded"), TEXT)
    small, large = report("small", (0, 21)), report("large", (22, 78))
    pairs, missed, extra = pair_events([both], [small, large])
    assert [p.report.iri for p in pairs] == ["small"]  # shares 21 characters, large only 19
    assert extra == [large] and missed == []


def test_equal_overlaps_go_to_the_report_that_agrees_more() -> None:
    gold = locate_event(event(0, "Rockets hit Jaramana."), TEXT)
    left, right = report("left", (0, 21)), report("right", (0, 21))
    agree = {"left": 1, "right": 3}
    pairs, _, extra = pair_events([gold], [left, right], lambda e, r: agree[r.iri])
    assert [p.report.iri for p in pairs] == ["right"] and extra == [left]


def test_gold_text_is_found_across_whitespace_and_mojibake_or_counted_missing() -> None:
    page = FoldedText("Jets hit the police\n\nstationâ€™s gate on Friday in Qamishli.")
    located = locate_event(
        event(
            0,
            "Jets hit the police station",
            "the police station’s gate on Friday in Qamishli.",
            "Government forces shelled Douma overnight.",
        ),
        page,
    )
    assert (located.exact, located.fuzzy, located.missing) == (1, 1, 1)
    assert located.spans == ((0, 28), (9, 60))


def test_no_overlap_no_pair() -> None:
    gold = locate_event(event(0, "Rockets hit Jaramana."), TEXT)
    assert pair_events([gold], [report("r", (30, 40))]) == ([], [gold], [report("r", (30, 40))])


# -- field rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "precision", "earliest", "latest", "agrees"),
    [
        ("2020-01-15", "Day", "2020-01-15", "2020-01-15", True),
        ("2020-01-15", "Day", "2020-01-16", "2020-01-16", False),
        ("2020-01", "Month", "2020-01-15", "2020-01-15", True),  # a day in the gold month
        ("2020-01", "Month", "2020-01-01", "2020-01-31", True),  # a month range
        ("2020-01", "Month", "2020-01-01", "2020-12-31", False),  # a year is not a month
        ("2020-01-15", "Day", "2020-01-01", "2020-01-31", False),  # a month is not a day
        ("2020", "Year", "2020-03-01", "2020-03-31", True),
        ("2020", "Year", "2019-12-01", "2020-01-31", False),
    ],
)
def test_dates_agree_at_the_gold_precision(
    gold: str, precision: str, earliest: str, latest: str, agrees: bool
) -> None:
    predicted = DateValue(
        datetime.date.fromisoformat(earliest), datetime.date.fromisoformat(latest), "Day"
    )
    assert date_agrees(gold, precision, predicted) is agrees


@pytest.mark.parametrize(
    ("gold", "concept"),
    [
        ("missile", "Missile"),
        ("barrel bomb", "BarrelBomb"),
        ("suicide bomb", "SuicideBomb"),
        ("car bomb", "CarBomb"),
        ("IED", "IED"),
        ("other", "OtherWeapon"),
        ("aircraft", "Aircraft"),
    ],
)
def test_gold_weapons_read_as_concepts(tmp_path: Path, gold: str, concept: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"doc": "x", "events": [{"type": "Strike", "weapon": gold}]}))
    assert read_gold(path)[0].events[0].weapon == concept
    judge = dict((r.name, r.judge) for r in FieldJudges(ActorResolver()).rules())["weapon"]
    gold_event = read_gold(path)[0].events[0]
    assert judge(gold_event, report("r", weapons=(concept,))).correct
    assert not judge(gold_event, report("r", weapons=("Rocket",))).correct


def test_unknown_gold_values_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"doc": "x", "events": []}\n{"doc": "y", "events": [{"type": "Raid"}]}\n')
    with pytest.raises(EvaluationError, match=r"gold.jsonl:2: event 0: type must be"):
        read_gold(path)


@pytest.mark.parametrize(
    ("gold", "predicted"),
    [
        ("Syrian government", "Syrian Arab Army"),
        ("Syrian government", "the regime"),
        ("Syrian government", "Assad regime"),
        ("Syrian government", "Syria's government"),
        ("Syria", "Syrian army"),
        ("Israel", "Israeli jets"),
        ("Israel", "IDF"),
        ("Russia", "Moscow"),
        ("Russia", "Russian warplanes"),
        ("United States", "U.S. forces"),
        ("Islamic State", "Daesh"),
        ("rebels", "rebel"),
    ],
)
def test_attacker_equivalences(gold: str, predicted: str) -> None:
    resolver = ActorResolver()
    assert resolver.key(gold, "SY") == resolver.key(predicted, "SY")


@pytest.mark.parametrize(
    ("gold", "predicted"),
    [("Israel", "Syrian army"), ("United States", "US-led coalition"), ("Russia", "rebels")],
)
def test_attacker_differences(gold: str, predicted: str) -> None:
    resolver = ActorResolver()
    assert resolver.key(gold, "SY") != resolver.key(predicted, "SY")


@pytest.mark.parametrize(
    ("labels", "tp", "fp", "fn"),
    [
        ([["Russia"]], 1, 0, 1),  # one of two actors: half the credit, not correct
        ([["Russia"], ["Syrian Arab Army", "regime forces"]], 2, 0, 0),
        ([["Russia"], ["Syria"], ["Iran"]], 2, 1, 0),
        ([], 0, 0, 2),
    ],
)
def test_joint_attacks_need_every_actor(labels: list[list[str]], tp: int, fp: int, fn: int) -> None:
    judges = FieldJudges(ActorResolver())
    gold = event(0, attacker="Syrian government and Russia", country="SY")
    attackers = tuple(EntityValue(f"e{i}", tuple(names)) for i, names in enumerate(labels))
    verdict = judges.attacker(gold, report("r", attackers=attackers))
    assert (verdict.tp, verdict.fp, verdict.fn) == (tp, fp, fn)
    assert verdict.correct is (fp == fn == 0)


@pytest.mark.parametrize(
    ("gold", "predicted", "same"),
    [
        ("military barracks", "army barracks", True),
        ("Syrian Observatory for Human Rights", "SOHR", True),
        ("Syrian state media", "state media", True),
        ("aid trucks and a warehouse", "warehouse", True),
        ("Iranian-backed militias", "Iran-backed militia groups", True),
        ("base for Lebanon's Hezbollah militia", "Hezbollah", False),
        ("ammunition depot", "research centre", False),
    ],
)
def test_free_text_rule(gold: str, predicted: str, same: bool) -> None:
    assert FieldJudges(ActorResolver()).same_phrase(gold, [predicted]) is same


@pytest.mark.parametrize(
    ("gold_name", "gold_id", "labels", "ids", "agrees"),
    [
        ("al-Safirah", 172503, ("Safira",), {172503}, True),  # the id decides
        ("Idlib", 169389, ("Idlib",), {169388}, False),  # a wrong link is a wrong place
        ("Idlib", 169389, ("Idlib",), set(), True),  # no link: by name
        ("Ash Sha'irat", None, ("Shairat",), {1}, True),  # gold without id: by name
        ("Homs", None, ("Homs city",), set(), True),
        ("Idlib province", None, ("Idlib Governorate",), set(), True),
        ("Idlib province", None, ("Idlib",), set(), False),
    ],
)
def test_locations_by_geonames_id_else_by_name(
    gold_name: str, gold_id: int | None, labels: tuple[str, ...], ids: set[int], agrees: bool
) -> None:
    gold = event(0, location=gold_name, location_geonames=gold_id)
    place = EntityValue("p", labels, geonames=frozenset(ids))
    verdict = FieldJudges(ActorResolver()).location(gold, report("r", locations=(place,)))
    assert verdict.correct is agrees


# -- crowd helpers and gold reading --------------------------------------------------------


def test_main_report_is_the_one_whose_evidence_comes_first() -> None:
    first, later = report("b", (10, 20)), report("a", (30, 40), (50, 60))
    assert main_report([later, first]) is first
    assert main_report([]) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("16", 16),
        ("six Syrian", 6),
        ("Three civilians", 3),
        ("twenty-one people", 21),
        ("1300 people", 1300),
        ("a child", 1),
        ("", None),
        ("dozens", None),
    ],
)
def test_crowd_counts(text: str, count: int | None) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Fri 07 Apr 2017", "2017-04-07"),
        ("April 19 2017", "2017-04-19"),
        ("24.07.2016", "2016-07-24"),
        ("Mon Jul 11 2016", "2016-07-11"),
        ("soon", None),
    ],
)
def test_crowd_dates(text: str, day: str | None) -> None:
    expected = datetime.date.fromisoformat(day) if day else None
    assert parse_crowd_date(text) == expected


def test_place_names_compare_without_articles_accents_and_case() -> None:
    assert place_key("al-Bukamal") == place_key("Bukamal") == place_key("AL BUKAMAL")
    assert place_key("Aleppo Governorate", strip_admin=True) == place_key("Aleppo")


def test_seed_files_get_the_id_the_pipeline_gives_them() -> None:
    (doc,) = read_gold(DATA / "gold" / "seed-file.jsonl")
    (article,) = [a for a in read_articles([DATA / "corpus" / "plain-seed.txt"])]
    assert isinstance(article, Article)
    assert doc.doc_id == article.doc_id != "seed-placeholder"


@pytest.mark.skipif(not SHARED_EVAL.is_dir(), reason="../shared/eval is not present")
def test_shared_seed_gold_ids() -> None:
    ids = [d.doc_id for d in read_gold(SHARED_EVAL / "gold-seeds.jsonl")]
    assert ids[0] == "ALJA2020050500029" and ids[1].startswith("text-")


def test_places_are_scored_where_the_gold_lists_them(seed_store: KGStore) -> None:
    result = evaluate(seed_store, [SHARED_EVAL / "gold-seeds.jsonl"])
    places = result.places
    assert places is not None and places.docs == 2
    # Nearly every place the seeds' gold lists is found, and every link is made and right.
    assert places.detection.recall >= 0.85
    assert places.correct == places.linked == places.with_id > 0
    assert to_dict(result)["places"]["geonames"]["accuracy"] == 1.0
    assert "Places: 2 articles" in render(result)


def test_without_listed_entities_there_is_no_place_score() -> None:
    assert evaluate(fixture_store(), [GOLD]).places is None


def test_an_article_in_two_gold_files_is_an_error() -> None:
    with pytest.raises(EvaluationError, match="already in"):
        evaluate(fixture_store(), [GOLD, GOLD])


@pytest.mark.parametrize(
    "module",
    ["text", "matching", "actors", "fields", "crowd", "places", "results", "scoring", "report"],
)
def test_docstring_examples(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(f"kg.evaluate.{module}"))
    assert failures == 0


# -- the command ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "kg"
    with KGStore(path) as store:
        store.load((DATA / "store.trig").read_bytes(), "trig")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, list(args), env=env)
    return outcome.exit_code, outcome.output


def test_cli_json_has_the_library_numbers(store_dir: Path, result: EvaluationResult) -> None:
    code, output = run("--store", str(store_dir), "eval", "--gold", str(GOLD))
    assert code == 0, output
    assert "precision 0.857   recall 0.667   F1 0.750" in output
    code, output = run(
        "--store", str(store_dir), "eval", "--gold", str(GOLD), "--crowd", str(CROWD), "--json"
    )
    assert code == 0, output
    data = json.loads(output)
    assert data == json.loads(json.dumps(to_dict(result)))
    assert data["events"]["f1"] == 0.75
    assert data["fields"]["attacker"]["accuracy"] == pytest.approx(5 / 6, abs=1e-4)
    assert data["crowd"]["aspects"]["location"] == {"n": 4, "agree": 3, "rate": 0.75}
    assert "Crowd labels: 5 rows" in render(result)


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    code, output = run("--store", str(tmp_path / "none"), "eval", "--gold", str(GOLD))
    assert code == 1 and "no store at" in output and "Traceback" not in output
    code, output = run("eval", "--gold", str(GOLD), "article.jsonl")
    assert code == 2 and "--articles" in output


@pytest.mark.model
def test_cli_scores_a_fresh_run_over_articles(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    text = "Israeli jets struck an airbase near Homs on Monday, killing three soldiers."
    articles.write_text(json.dumps({"id": "fresh-1", "published": "2020-05-05", "text": text}))
    gold = tmp_path / "gold.jsonl"
    events = [{"type": "AirStrike", "attacker": "Israel", "evidence": [text]}]
    gold.write_text(json.dumps({"doc": "fresh-1", "events": events}))
    code, output = run(
        "--store",
        str(tmp_path / "untouched"),
        "eval",
        "--gold",
        str(gold),
        "--json",
        "--articles",
        str(articles),
        env={"KG_PROCESSES": "1"},
    )
    assert code == 0, output
    data = json.loads(output[output.index("{") :])
    assert data["events"]["gold_docs"] == 1 and data["events"]["missing_docs"] == []
    assert data["events"]["evidence"]["exact"] == 1
    assert not (tmp_path / "untouched").exists()
