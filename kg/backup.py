"""Backup and restore of the on-disk store, also while the endpoint serves it.

A backup is an Oxigraph checkpoint: a directory that opens as a store (``kg --store DIR``).
While another process writes the store (an ingest), the backup is a copy of the snapshot it
last published. A restore replaces the store's content with a backup's in place, under the
store's write lock, keeps the state it replaced as a checkpoint beside the store, and
publishes a snapshot so that the endpoint moves to the restored graph.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from pathlib import Path

from kg.errors import StoreBusyError, StoreError
from kg.snapshots import current_snapshot, lease, publish_snapshot, published_at
from kg.store import KGStore


def backup(store_path: Path, target: Path) -> str:
    """Write a consistent copy of the store at ``store_path`` to the new directory
    ``target``; return what was copied, for the user."""
    if not store_path.is_dir():
        raise StoreError(f"there is no store at {store_path} to back up")
    if target.exists():
        raise StoreError(f"{target} already exists; back up into a new directory")
    try:
        store = KGStore(store_path)
    except StoreError:
        current = current_snapshot(store_path)
        if current is None:
            raise
        snapshot, held = lease(current)  # the writer may not delete it while it is copied
        with held:
            _copy_linked(snapshot, target)
        return (
            f"the snapshot published at {published_at(snapshot).isoformat(timespec='seconds')} "
            "(another process is writing the store; what it wrote since is not in the backup)"
        )
    with store:
        store.backup(target)
    return "the store"


def restore(store_path: Path, source: Path) -> Path:
    """Replace the content of the store at ``store_path`` with the backup at ``source``.

    Returns:
        The directory keeping the store as it was before, a checkpoint that opens as a
        store: nothing is lost if the restore was a mistake or is interrupted.
    """
    if not source.is_dir():
        raise StoreError(f"there is no backup at {source}")
    if source.resolve() == store_path.resolve():
        raise StoreError("a store cannot be restored from itself")
    try:
        store = KGStore(store_path)
    except StoreError as error:
        raise StoreBusyError(
            f"another process is writing the store (an ingest?); stop it, then restore: {error}"
        ) from None
    with store, tempfile.TemporaryDirectory(dir=store_path.parent) as scratch:
        nquads = Path(scratch) / "backup.nq"
        with KGStore(source, read_only=True) as backup_store, nquads.open("wb") as out:
            backup_store.dump(out, "nquads")
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = store_path.parent / f"{store_path.name}.before-restore-{stamp}"
        store.backup(kept)
        store.replace_all(nquads)
        store.flush()
        publish_snapshot(store)
    return kept


def _copy_linked(source: Path, target: Path) -> None:
    """Copy a snapshot as RocksDB checkpoints are made: table files (``.sst``, never changed
    once written) hard-linked where the file system allows, every other file copied."""

    def link_or_copy(src: str, dst: str) -> object:
        if src.endswith(".sst"):
            try:
                os.link(src, dst)
                return dst
            except OSError:
                pass
        return shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)
