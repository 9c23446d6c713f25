"""The C heap of a writing process: free pages handed back, threads kept to few arenas."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache

_M_ARENA_MAX = -8  # mallopt's parameter number for the arena bound, from glibc's malloc.h


@cache
def _libc_function(name: str) -> Callable[..., int] | None:
    """A glibc function, or ``None`` where the C library has none (musl, macOS)."""
    return getattr(ctypes.CDLL(None), name, None)


def release_free_memory() -> bool:
    """Return the free pages of the C heap to the system; whether the C library could.

    Parsing a batch of articles allocates and frees a great many objects, and glibc keeps
    the freed pages for later: over a long ingest, a worker's resident memory creeps up by
    the pages it holds free (about 0.05 GiB per process at 10,000 articles).
    """
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


def limit_heap_arenas(arenas: int) -> bool:
    """Let this process's threads allocate from at most ``arenas`` glibc heaps; whether the
    C library could.

    glibc gives each new thread a heap (arena) of its own, up to eight per core, and a heap
    keeps the scattered half-used pages its thread leaves: Oxigraph's and RocksDB's threads
    (the bulk loader's, flushes, compaction) held about 190 MB in eight arenas after 82,000
    articles. Call it before those threads start: a thread keeps the arena it was given.
    """
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))
