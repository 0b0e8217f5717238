"""The allocator setting of Dask workers: freed blocks of a few MB are reused from the heap, not
mapped afresh with every page faulted in again."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

# Allocates and frees a 1 MiB array 50 times, all pages written, and prints the minor page
# faults that cost, before and after keep_freed_memory. 1 MiB: above glibc's first mmap
# threshold (128 KiB), below a huge page (2 MiB), so each fresh mapping faults page by page.
_SCRIPT = """
import resource
import numpy as np
from wastescreen.core.memory import freed_memory_kept, keep_freed_memory

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        a = np.ones(1 << 17)  # 1 MiB
        del a
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

faults()  # warm-up
print(freed_memory_kept(), faults(), keep_freed_memory(), freed_memory_kept(), faults())
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_freed_blocks_are_reused_under_dasks_trim_threshold() -> None:
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}  # what Dask's nanny sets
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    kept_before, faults_before, applied, kept_after, faults_after = out
    assert (kept_before, applied, kept_after) == ("False", "True", "True")
    # Each array mapped afresh faults its 256 pages of 4 KiB in again; reused from the heap,
    # only the first array's pages (and a few of the interpreter's) are new.
    assert int(faults_before) >= 50 * 200
    assert int(faults_after) <= 600 < int(faults_before) // 10
