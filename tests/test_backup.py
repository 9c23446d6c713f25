"""``kg backup`` and ``kg restore`` while a real server answers from the store."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.snapshots import publish_snapshot
from kg.store import KGStore
from tests.servers import ROOT, free_port, running_server
from tests.test_server_process import (
    GRAPHS,
    LABEL,
    LABELS,
    SERVER_SCRIPT,
    TOKEN,
    labels,
    update,
)

pytestmark = pytest.mark.server

EXTRA = (
    f'INSERT DATA {{ GRAPH <http://example.org/g/x> {{ <http://example.org/x> {LABEL} "Extra" }} }}'
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server process with an update token, and the path of the store it serves."""
    graphs = tmp_path / "graphs.json"
    graphs.write_text(json.dumps(GRAPHS), encoding="utf-8")
    store, port = tmp_path / "kg", free_port()
    command = [sys.executable, "-c", SERVER_SCRIPT, str(store), str(graphs), str(port), TOKEN]
    with running_server(command, port, tmp_path / "server.log", startup=30) as url:
        yield url, store


def kg(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "--store", str(store), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stored_labels(store: Path) -> set[str]:
    with KGStore(store, read_only=True) as view:
        rows = view.query(f"SELECT ?l WHERE {{ ?s {LABEL} ?l }}").rows()
    return {str(row["l"]) for row in rows}


def test_backup_then_restore_while_the_server_answers(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, store = served
    saved = kg(store, "backup", str(tmp_path / "backup"))
    assert saved.returncode == 0 and "backed up the store" in saved.stderr, saved.stderr
    assert update(url, EXTRA, TOKEN) == (204, "")
    assert labels(url) == {*LABELS, "Extra"}
    restored = kg(store, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert labels(url) == LABELS  # the server moved to the restored graph
    kept = Path(restored.stderr.rsplit(" kept in ", 1)[1].strip())
    assert stored_labels(kept) == {*LABELS, "Extra"}  # what the restore replaced is kept
    assert update(url, EXTRA, TOKEN) == (204, "")  # and the store takes writes again
    assert labels(url) == {*LABELS, "Extra"}


def test_backup_while_another_process_writes_copies_its_last_snapshot(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    _, store = served
    with KGStore(store) as writer:  # holds the store, as an ingest would
        writer.update(EXTRA)
        publish_snapshot(writer)
        writer.update(EXTRA.replace("Extra", "Unpublished"))
        saved = kg(store, "backup", str(tmp_path / "backup"))
        assert saved.returncode == 0 and "the snapshot published at" in saved.stderr
        refused = kg(store, "restore", str(tmp_path / "backup"))
        assert refused.returncode == 1 and "stop it, then restore" in refused.stderr
    assert stored_labels(tmp_path / "backup") == {*LABELS, "Extra"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("backup", "{store}"), "already exists"),
        (("restore", "{tmp}/missing"), "there is no backup at"),
        (("restore", "{store}"), "cannot be restored from itself"),
    ],
)
def test_bad_backup_and_restore_targets_are_refused(
    served: tuple[str, Path], tmp_path: Path, args: tuple[str, str], words: str
) -> None:
    _, store = served
    before = stored_labels_via_snapshot(store)
    command = [arg.format(store=store, tmp=tmp_path) for arg in args]
    result = kg(store, *command)
    assert result.returncode == 1 and words in result.stderr, result.stderr
    assert stored_labels_via_snapshot(store) == before


def stored_labels_via_snapshot(store: Path) -> set[str]:
    root = store.parent / f"{store.name}.snapshots"
    return stored_labels(root / (root / "CURRENT").read_text(encoding="ascii").strip())
