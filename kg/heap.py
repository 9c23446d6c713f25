"""Handing the C heap's free pages back to the system."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` where the C library has none (musl, macOS)."""
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def release_free_memory() -> bool:
    """Return the free pages of the C heap to the system; whether the C library could.

    Parsing a batch of articles allocates and frees a great many objects, and glibc keeps
    the freed pages for later: over a long ingest, a worker's resident memory creeps up by
    the pages it holds free (about 0.05 GiB per process at 10,000 articles).
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
