"""The speed runner's own measuring helpers (the runs themselves are not tests)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks.speed import machine_cpu_seconds


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="no /proc/stat on this system")
def test_the_machine_s_cpu_time_grows_by_the_work_done_on_it() -> None:
    before = machine_cpu_seconds()
    own_before = time.process_time()
    while time.process_time() - own_before < 0.3:  # 0.3 s of this process's CPU
        sum(range(10_000))
    after = machine_cpu_seconds()
    assert before is not None and after is not None
    # the machine counts at least this process's work (ticks of 1/100 s: some slack)
    assert after - before >= 0.25
