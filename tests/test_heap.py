"""Free C-heap pages go back to the system (glibc)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.heap import _libc_function, release_free_memory

pytestmark = pytest.mark.skipif(
    _libc_function("mallopt") is None, reason="the C library is not glibc"
)


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


_THREADS_ALLOCATING = """
import ctypes, sys, tempfile, threading
from kg.heap import limit_heap_arenas
if sys.argv[1] != "unbounded":
    assert limit_heap_arenas(int(sys.argv[1]))
started = threading.Barrier(7)
done = threading.Barrier(7)
def allocate():
    started.wait()
    block = bytearray(100_000)  # from the C heap, in the thread's arena
    done.wait()
threads = [threading.Thread(target=allocate) for _ in range(6)]
for thread in threads:
    thread.start()
started.wait()
done.wait()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as report:
    stream = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(open(report.name).read().count("<heap nr="))
"""


def _arenas_after_six_threads(bound: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", _THREADS_ALLOCATING, bound], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return int(run.stdout)


def test_threads_share_the_bounded_number_of_heaps() -> None:
    # Six threads that allocate at once take a heap each, unless the process bounds them.
    assert _arenas_after_six_threads("unbounded") >= 7
    assert _arenas_after_six_threads("2") == 2
