"""Peak resident memory of a process and every process under it (issue 22, point 6: a worker during
the first full sweep under 500 MB, a web process during the page benchmark under 250 MB).

The kernel keeps each process's own high-water mark of resident memory (``VmHWM`` in
``/proc/<pid>/status``), so a sampler does not have to catch the peak itself: it only has to read
each process's mark before the process ends. A Celery pool or gunicorn may replace a child while it
runs; the sampler finds the processes under the parent every half second and keeps the highest
mark it read of each. Linux only (``/proc``); elsewhere nothing is measured and the figure is None.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def verdict(peak: float | None, target: float) -> str:
    """A peak in MiB with its verdict, or a dash where nothing was measured (in-process runs)."""
    return "–" if peak is None else f"{peak:.0f} MB {'✓' if peak < target else '✗'}"


def _status(pid: int) -> dict[str, str]:
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:  # the process ended between the listing and the read
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def high_water_mb(pid: int) -> float | None:
    """The most resident memory ``pid`` has held so far, in MiB (None if it is gone)."""
    value = _status(pid).get("VmHWM")
    return int(value.split()[0]) / 1024 if value else None


def tree(root: int) -> list[int]:
    """``root`` and every process under it, from each process's parent id in ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _status(int(entry.name)).get("PPid")
            if parent:
                children.setdefault(int(parent), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


@dataclass
class PeakMemory:
    """Samples the high-water marks of ``root``'s processes while it is entered."""

    root: int
    interval: float = 0.5
    marks: dict[int, float] = field(default_factory=dict)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)

    def sample(self) -> None:
        if not PROC.is_dir():
            return
        for pid in tree(self.root):
            mark = high_water_mb(pid)
            if mark is not None:
                self.marks[pid] = max(mark, self.marks.get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> PeakMemory:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    @property
    def peak_mb(self) -> float | None:
        """The highest mark of any one of the processes (not their sum: each is a process of its
        own, and the targets are per process)."""
        return max(self.marks.values(), default=None)

    @property
    def processes(self) -> int:
        return len(self.marks)
