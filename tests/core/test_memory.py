"""The allocator setting of Dask workers: freed blocks of a few MB are reused from the heap, not
mapped afresh with every page faulted in again."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Allocates and frees a 4 MB array 50 times, all pages written, and prints the minor page
# faults that cost, before and after keep_freed_memory.
_SCRIPT = """
import resource
import numpy as np
from wastescreen.core.memory import freed_memory_kept, keep_freed_memory

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        a = np.ones(1 << 19)  # 4 MB
        del a
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

faults()  # warm-up
print(freed_memory_kept(), faults(), keep_freed_memory(), freed_memory_kept(), faults())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_freed_blocks_are_reused_under_dasks_trim_threshold() -> None:
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}  # what Dask's nanny sets
    out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    kept_before, faults_before, applied, kept_after, faults_after = out
    assert (kept_before, applied, kept_after) == ("False", "True", "True")
    # Each 4 MB array mapped afresh faults its pages in again (1,024 of 4 KB; about half as
    # many faults were counted here, the kernel mapping some pages together); reused from the
    # heap, only the first array's pages are new.
    assert int(faults_before) >= 50 * 256
    assert int(faults_after) <= 1024 < int(faults_before) // 10
