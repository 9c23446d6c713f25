"""Snapshots for readers: a superseded snapshot goes as soon as no reader holds it."""

from __future__ import annotations

from pathlib import Path

from kg.snapshots import current_snapshot, lease, publish_snapshot, snapshot_root
from kg.store import KGStore

TRIPLE = '<http://example.org/a> <http://example.org/p> "{}" .'


def snapshots(store: KGStore) -> list[str]:
    root = snapshot_root(store.path or Path())
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def publish(store: KGStore, value: str) -> Path:
    store.write_graph("http://example.org/g", TRIPLE.format(value), replace=True)
    return publish_snapshot(store)


def test_superseded_snapshots_no_reader_holds_are_deleted(tmp_path: Path) -> None:
    with KGStore(tmp_path / "kg") as store:
        for value in "abc":
            newest = publish(store, value)
        assert snapshots(store) == [newest.name]
        assert not list(snapshot_root(tmp_path / "kg").glob("*.readers"))


def test_a_held_snapshot_outlives_its_publication_until_released(tmp_path: Path) -> None:
    with KGStore(tmp_path / "kg") as store:
        first = publish(store, "a")
        held_path, held = lease(first)
        second = publish(store, "b")
        assert snapshots(store) == [first.name, second.name]
        with KGStore(held_path, read_only=True) as view:  # still whole, still the old state
            assert view.query('ASK { ?s ?p "a" }').boolean
        held.close()
        third = publish(store, "c")
        assert snapshots(store) == [third.name]


def test_a_lease_on_a_deleted_snapshot_holds_the_current_one(tmp_path: Path) -> None:
    with KGStore(tmp_path / "kg") as store:
        first = publish(store, "a")
        second = publish(store, "b")
        assert not first.exists()
        held_path, held = lease(first)
        with held:
            assert held_path == second == current_snapshot(tmp_path / "kg")
