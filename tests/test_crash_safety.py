"""``kg ingest`` killed at random points, or stopped with Ctrl-C, loses nothing: the store
opens, holds only whole articles, and the same command run again ends with the quads of a
run that was never interrupted."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.config import Settings
from kg.mapping import Iris
from kg.store import KGStore
from tests.conftest import SHARED
from tests.servers import ROOT

pytestmark = pytest.mark.model

IRIS = Iris(Settings().base)
ARTICLES = 100
KILLS = 6
Quad = tuple[str, str, str, str]


@dataclass(frozen=True)
class CleanRun:
    """What an ingest that was never interrupted stores."""

    quads: set[Quad]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first development articles, as one JSON Lines file."""
    lines = (SHARED / "corpus" / "fakes-dev.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("crash") / "articles.jsonl"
    path.write_text("\n".join(lines[:ARTICLES]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clean_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    store = tmp_path_factory.mktemp("clean") / "kg"
    subprocess.run(ingest_command(store, corpus), cwd=ROOT, check=True, capture_output=True)
    return CleanRun(without_runs(store))


def ingest_command(store: Path, corpus: Path) -> list[str]:
    # Small batches, so that a kill lands between batches as often as inside one; the
    # progress bar (articles read) tells a test how far the run is.
    return [
        *(sys.executable, "-m", "kg.cli", "--store", str(store), "ingest"),
        *("--processes", "1", "--batch-size", "4", "--progress", str(corpus)),
    ]


def without_runs(store_path: Path) -> set[Quad]:
    """The store's quads with the ingest runs left out: every run has its own IRI and times,
    and an interrupted one leaves its start behind."""
    with KGStore(store_path, read_only=True) as store:
        runs = IRIS.run("")
        return {
            (s, p, "<run>" if o.startswith(f"<{runs}") else o, g)
            for s, p, o, g in store.quads()
            if not s.startswith(f"<{runs}")
        }


def article_graphs(quads: set[Quad]) -> dict[str, set[Quad]]:
    """Each article's named graph, by graph name."""
    graphs: dict[str, set[Quad]] = {}
    for quad in quads:
        if quad[3].startswith(f"<{IRIS.doc_graph_prefix}"):
            graphs.setdefault(quad[3], set()).add(quad)
    return graphs


def assert_only_whole_articles(quads: set[Quad], clean: set[Quad]) -> int:
    """Every article graph in ``quads`` is exactly the clean run's; return how many."""
    expected = article_graphs(clean)
    found = article_graphs(quads)
    for graph, graph_quads in found.items():
        assert graph_quads == expected[graph], f"{graph} is not whole"
    return len(found)


def started(store: Path, corpus: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(ingest_command(store, corpus), cwd=ROOT, stdout=out, stderr=out)


def wait_until_read(log: Path, process: subprocess.Popen[bytes], articles: int) -> None:
    """Wait until the progress bar of the running ingest counts ``articles`` read."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        counts = re.findall(rb"(\d+) articles", log.read_bytes())
        if counts and int(counts[-1]) >= articles:
            return
        time.sleep(0.05)
    pytest.fail(f"the ingest did not read {articles} articles; see {log}")


def test_killed_ingests_leave_whole_articles_and_resume_to_a_clean_result(
    corpus: Path, clean_run: CleanRun, tmp_path: Path
) -> None:
    store = tmp_path / "kg"
    chance = random.Random(7)
    kills = 0
    for attempt in range(KILLS):
        log = tmp_path / f"ingest-{attempt}.log"
        stored = len(article_graphs(without_runs(store))) if store.exists() else 0
        process = started(store, corpus, log)
        if attempt == 0:  # while the model loads
            time.sleep(chance.uniform(0.5, 2.0))
        elif attempt < KILLS - 1:  # among the articles not stored yet
            wait_until_read(log, process, chance.randint(stored + 1, ARTICLES))
            time.sleep(chance.uniform(0.0, 0.5))
        else:  # once every article is read: the last batches, consolidation, compaction
            wait_until_read(log, process, ARTICLES)
            time.sleep(chance.uniform(0.0, 0.3))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        if store.exists():
            assert_only_whole_articles(without_runs(store), clean_run.quads)
    assert kills >= KILLS - 1, f"most runs ended before they were killed; see {tmp_path}"
    subprocess.run(ingest_command(store, corpus), cwd=ROOT, check=True, capture_output=True)
    assert without_runs(store) == clean_run.quads


def test_ctrl_c_stops_after_the_batches_under_way(
    corpus: Path, clean_run: CleanRun, tmp_path: Path
) -> None:
    store, log = tmp_path / "kg", tmp_path / "ingest.log"
    process = started(store, corpus, log)
    wait_until_read(log, process, 8)  # batches of 4: the first is stored
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130, log.read_text()
    assert "interrupted: run the same command again to go on" in log.read_text()
    stored = assert_only_whole_articles(without_runs(store), clean_run.quads)
    assert 4 <= stored < ARTICLES
    with KGStore(store, read_only=True) as view:
        ended = view.query("ASK { ?run <http://www.w3.org/ns/prov#endedAtTime> ?end }")
        assert ended.boolean, "the interrupted run was not recorded as ended"
    subprocess.run(ingest_command(store, corpus), cwd=ROOT, check=True, capture_output=True)
    assert without_runs(store) == clean_run.quads
