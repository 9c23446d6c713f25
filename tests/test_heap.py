"""Free C-heap pages go back to the system (glibc)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.heap import _malloc_trim, release_free_memory

pytestmark = pytest.mark.skipif(_malloc_trim() is None, reason="the C library has no malloc_trim")


def _resident_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_freed_pages_below_a_live_block_are_returned() -> None:
    # 300 MB of kilobyte blocks from the C heap (Python's own allocator takes only small
    # ones); the last stays alive, so the heap cannot simply shrink from its top.
    blocks = [bytes(1000) for _ in range(300_000)]
    last = blocks[-1]
    del blocks
    before = _resident_bytes()
    assert release_free_memory()
    assert before - _resident_bytes() > 200 * 2**20
    assert len(last) == 1000
