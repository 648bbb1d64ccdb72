"""This machine's pool of worker processes: the default engine.

The pool is pebble's (https://github.com/noxdafox/pebble): unlike the standard
library's, it fails only the task whose worker died, kills a task that runs
too long, and starts a fresh worker in its place. A few calls per worker are
in flight at a time, so a case of any size never sits in memory.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import replace

from pebble import ProcessExpired, ProcessPool

from callsift import pipeline
from callsift.engines import Jobs
from callsift.pipeline import CallOutcome, ProcessOptions
from callsift.store import CaseStore
from callsift.transcribe import load_model

__all__ = ["outcomes"]


def outcomes(store: CaseStore, jobs: Jobs, options: ProcessOptions) -> Iterator[CallOutcome]:
    """Each job's outcome as it finishes; ``workers=0`` runs them here, one by one."""
    if options.workers <= 0:
        model = load_model(options.transcribe.model)
        for call_id, sha256, file in jobs:
            yield pipeline._guarded(store.originals.path(sha256), call_id, file, options, model)
        return
    model = options.transcribe.model
    threads = max(1, (os.cpu_count() or 1) // options.workers)
    worker_options = replace(
        options,
        transcribe=replace(options.transcribe, model=replace(model, cpu_threads=threads)),
    )
    context = multiprocessing.get_context("spawn")
    pool = ProcessPool(options.workers, context=context)
    try:
        queue = iter(jobs)
        running: dict[Future[CallOutcome], tuple[int, str]] = {}
        while True:
            # Keep a few calls in flight per worker, not the whole case in memory.
            while len(running) < options.workers * 2:
                job = next(queue, None)
                if job is None:
                    break
                call_id, sha256, file = job
                future = pool.schedule(
                    pipeline._guarded,
                    (store.originals.path(sha256), call_id, file, worker_options),
                    timeout=options.call_timeout_s,
                )
                running[future] = (call_id, file)
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for done in finished:
                call_id, file = running.pop(done)
                yield _result(done, call_id, file, options)
    finally:
        pool.stop()
        pool.join()


def _result(
    future: Future[CallOutcome], call_id: int, file: str, options: ProcessOptions
) -> CallOutcome:
    """The worker's outcome, or why its process gave none (pebble restarts the worker)."""
    try:
        return future.result()
    except TimeoutError:
        reason = (
            f"stopped after {options.call_timeout_s:g} s, the time limit for one call"
            " (raise it with --call-timeout)"
        )
    except ProcessExpired as error:
        how = f"signal {-error.exitcode}" if error.exitcode < 0 else f"exit code {error.exitcode}"
        reason = (
            f"the worker process died on this call ({how}; out of memory or a crash in a"
            " decoder or the model)"
        )
    except Exception as error:
        reason = pipeline._unexpected(error)
    return CallOutcome(call_id, file, error=reason)
