"""The garbage collector is set for a long-lived process where the web and worker processes start
(herning/core/gc_tuning.py): in gunicorn's worker hook and on Celery's worker signals."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

import pytest
from celery.signals import worker_process_init, worker_ready

from herning.core.gc_tuning import THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector():
    """The test process's own settings back afterwards."""
    before = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def assert_tuned():
    assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() > 0  # what was loaded is left out of every collection


def test_gunicorn_tunes_each_worker_once_the_application_is_loaded(collector):
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hooks["post_worker_init"](worker=None)
    assert_tuned()


@pytest.mark.parametrize("signal", [worker_process_init, worker_ready], ids=["pool process", "main process"])
def test_a_celery_worker_tunes_its_processes(collector, signal):
    import herning.celery  # noqa: F401 - connects the receivers, as the worker's -A herning does

    signal.send(sender=None)
    assert_tuned()


def test_cycles_are_still_collected(collector):
    from herning.core.gc_tuning import tune

    tune()

    class Node:
        pass

    for _ in range(100):
        a, b = Node(), Node()
        a.other, b.other = b, a
    del a, b
    assert gc.collect() > 0  # the threshold delays a collection; it does not stop one
