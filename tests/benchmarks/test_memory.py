"""The benchmarks' memory sampler (issue 22, point 6) against real processes: it finds the
children of a parent and keeps each one's peak even after the child has given its memory back."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.memory import PeakMemory, tree, verdict

# A parent that starts a child which holds about 130 MB for a moment (every byte written, so every
# page is resident: a zeroed buffer may be left partly unmapped), frees it and sleeps on.
PROGRAM = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "b = b'x' * (130 * 1024 * 1024); del b; import time; time.sleep(30)"])
time.sleep(30)
"""


def test_the_peak_of_a_child_is_kept_after_it_frees_its_memory():
    parent = subprocess.Popen([sys.executable, "-c", PROGRAM])
    try:
        with PeakMemory(parent.pid, interval=0.05) as memory:
            deadline = time.monotonic() + 20
            # Until the child's high-water mark has reached the buffer: a sample taken while the
            # child was still writing it reads less (115 of 130 MB was seen), and the next sample,
            # after the child has freed it, must still show the peak.
            while len(tree(parent.pid)) < 2 or (memory.peak_mb or 0) < 120:
                assert time.monotonic() < deadline, memory.marks
                time.sleep(0.05)  # waiting on another process
            time.sleep(0.5)  # the child has freed the buffer by now; the samplers go on
        assert memory.processes == 2
        assert memory.peak_mb >= 120
        # The parent itself never held the child's memory.
        assert memory.marks[parent.pid] < 100
    finally:
        for pid in tree(parent.pid)[1:]:
            subprocess.run(["kill", str(pid)], check=False)
        parent.kill()
        parent.wait()


def test_verdict_against_a_target():
    assert verdict(None, 250) == "–"
    assert verdict(180.4, 250) == "180 MB ✓"
    assert verdict(260, 250) == "260 MB ✗"
