"""Read-only snapshots of the on-disk store, for readers in other processes.

An Oxigraph store on disk has one writer (a lock on its directory), and a read-only opening
beside a writer is undefined behaviour. So writers publish snapshots: a consistent
checkpoint of the store (hard links, cheap) in ``{store}.snapshots/{time}``, named in the
file ``CURRENT``. Readers, the endpoint's query workers, open the current snapshot and never
see a half-written batch; a new ``kg ingest`` can run while the endpoint serves.

A snapshot is deleted once it has been superseded for ``GRACE_SECONDS``, longer than any
query may run (``Settings.query_timeout`` is capped below it), so no reader loses its files.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from pathlib import Path

from kg.errors import StoreError
from kg.store import KGStore

GRACE_SECONDS = 900
CURRENT = "CURRENT"


def snapshot_root(store_path: Path) -> Path:
    """The directory holding the snapshots of the store at ``store_path``."""
    return store_path.parent / f"{store_path.name}.snapshots"


def current_snapshot(store_path: Path) -> Path | None:
    """The latest published snapshot of the store, or ``None`` if none was published."""
    root = snapshot_root(store_path)
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
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    now = time.time_ns()
    for name, successor in itertools.pairwise(names):
        superseded_for = (now - int(successor)) / 1e9
        if name != keep and superseded_for > GRACE_SECONDS:
            shutil.rmtree(root / name, ignore_errors=True)
