"""Read-only snapshots of the on-disk store, for readers in other processes.

An Oxigraph store on disk has one writer (a lock on its directory), and a read-only opening
beside a writer is undefined behaviour. So writers publish snapshots: a consistent
checkpoint of the store (hard links, cheap) in ``{store}.snapshots/{time}``, named in the
file ``CURRENT``. Readers, the endpoint's query workers, open the current snapshot and never
see a half-written batch; a new ``kg ingest`` can run while the endpoint serves.

A reader holds a lease on the snapshot it reads (a shared lock on ``{time}.readers``). A
writer deletes a superseded snapshot as soon as no reader holds it: its hard links keep
table files that the store has since compacted away, gigabytes in a large ingest.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import shutil
import time
from pathlib import Path
from typing import IO

from kg.errors import StoreError
from kg.store import KGStore

CURRENT = "CURRENT"
READERS = ".readers"
LEASE_ATTEMPTS = 10


def snapshot_root(store_path: Path) -> Path:
    """The directory holding the snapshots of the store at ``store_path``."""
    return store_path.parent / f"{store_path.name}.snapshots"


def current_snapshot(store_path: Path) -> Path | None:
    """The latest published snapshot of the store, or ``None`` if none was published."""
    return _current_in(snapshot_root(store_path))


def published_at(snapshot: Path) -> datetime.datetime:
    """When ``snapshot`` was published (its name is the time in nanoseconds)."""
    return datetime.datetime.fromtimestamp(int(snapshot.name) / 1e9, datetime.UTC)


def lease(snapshot: Path) -> tuple[Path, IO[bytes]]:
    """Hold ``snapshot`` for reading, or the current one if a writer has just deleted it.

    Returns:
        The snapshot held, and the handle whose closing ends the lease.
    """
    for _ in range(LEASE_ATTEMPTS):
        handle = (snapshot.parent / f"{snapshot.name}{READERS}").open("ab")
        fcntl.flock(handle, fcntl.LOCK_SH)
        if snapshot.is_dir():
            return snapshot, handle
        handle.close()  # superseded and deleted between reading CURRENT and locking
        current = _current_in(snapshot.parent)
        if current is None:
            break
        snapshot = current
    raise StoreError(f"no snapshot of the store in {snapshot.parent} could be held for reading")


def _current_in(root: Path) -> Path | None:
    try:
        name = (root / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    snapshot = root / name
    return snapshot if snapshot.is_dir() else None


def publish_snapshot(store: KGStore) -> Path:
    """Checkpoint ``store`` (open for writing, on disk) as the current snapshot.

    Returns:
        The new snapshot's directory.
    """
    if store.path is None:
        raise ValueError("only an on-disk store has snapshots")
    root = snapshot_root(store.path)
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{time.time_ns():020d}"
    store.backup(target)
    pointer = root / f"{CURRENT}.{os.getpid()}.tmp"
    pointer.write_text(target.name, encoding="ascii")
    os.replace(pointer, root / CURRENT)  # atomic: readers see the old name or the new one
    _prune(root, keep=target.name)
    return target


def refresh_snapshot(store_path: Path) -> Path:
    """Publish the store's current state for readers; when another process holds the store
    for writing (an ingest), keep the snapshot it last published.

    Raises:
        StoreError: the store cannot be opened and has no snapshot yet.
    """
    try:
        with KGStore(store_path) as store:
            return publish_snapshot(store)
    except StoreError:
        snapshot = current_snapshot(store_path)
        if snapshot is None:
            raise
        return snapshot


def _prune(root: Path, keep: str) -> None:
    """Delete every snapshot but ``keep`` that no reader holds (and stray lease files)."""
    names = {p.name.removesuffix(READERS) for p in root.iterdir()}
    for name in sorted(n for n in names if n.isdigit() and n != keep):
        lock = root / f"{name}{READERS}"
        with lock.open("ab") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader holds it: the next publication tries again
            shutil.rmtree(root / name, ignore_errors=True)
            lock.unlink(missing_ok=True)
