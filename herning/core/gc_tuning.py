"""Python's cyclic garbage collector set for the long-lived web and worker processes.

By default Python runs a collection every 700 new container objects, and every so often a full one
that walks every object the process holds: Django, the templates, a worker's rule book and the
batch it is working on. A sweep batch of 4,000 measures spent a fifth of its CPU time there (2,143
collections, 14 of them full; the findings of 6 December 2026 in ``benchmarks/RESULTS.md``), and
a page a few milliseconds. Almost all of the product's garbage is freed by reference counting the
moment it is dropped; the collector is only there for cycles, which are few.

``tune()`` is called once a process has loaded the application (gunicorn's ``post_worker_init``
in ``gunicorn.conf.py``, Celery's ``worker_process_init`` and ``worker_ready`` in
``herning/celery.py``):

- ``gc.freeze()`` moves what is loaded by then to a generation the collector never walks again (the
  use the Python documentation gives it, for processes that fork or live long);
- the thresholds let 50,000 new objects come before a collection, and 20 of those before the next
  generation's, so a collection is rare and a full one rarer still. Cycles are still collected;
  memory stays within its bounds (RESULTS.md, peak memory of a web and a worker process).

Foundation code: this module imports no domain app.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 20)


def tune() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
