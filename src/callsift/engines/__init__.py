"""Where the calls of ``process_case`` run: this machine's pool, or a Dask cluster.

An engine takes the pending calls and yields one ``CallOutcome`` per call as
each finishes, in any order; ``process_case`` alone writes them to the case,
one transaction per call, so a run killed at any moment resumes the same way
whichever engine ran it. Both engines run the same ``pipeline._guarded`` on
each call, so where a call ran changes nothing in its transcript (and is not
part of the processing key). Dask is imported only when asked for: a laptop
user's ``callsift process`` starts no cluster and loads no ``distributed``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callsift.pipeline import CallOutcome, ProcessOptions
    from callsift.store import CaseStore

__all__ = ["Jobs", "OnRunning", "longest_first", "outcomes"]

Jobs = list[tuple[int, str, str]]
"""The calls to run, as ``CaseStore.pending_calls`` lists them: ``(id, sha256, file)``."""

OnRunning = Callable[[str], None]
"""Told, in a line, which calls run where whenever that changes (Dask only)."""


def outcomes(
    store: CaseStore, jobs: Jobs, options: ProcessOptions, on_running: OnRunning | None = None
) -> Iterator[CallOutcome]:
    """One outcome per job, from the engine ``options.scheduler`` names."""
    if not jobs:
        return  # nothing to do: no pool, no cluster started
    jobs = longest_first(store, jobs)
    if options.scheduler is None:
        from callsift.engines import local

        yield from local.outcomes(store, jobs, options)
    else:
        from callsift.engines import dask

        yield from dask.outcomes(store, jobs, options, on_running)


def longest_first(store: CaseStore, jobs: Jobs) -> Jobs:
    """The biggest originals first, so that no worker starts a long call while the others finish.

    Taken in the order found, a long call drawn last kept one worker busy
    while the rest sat idle. A file's size stands in for its length, which
    is only known once it is decoded: rough across formats, but it is only the
    order of the work, never its result.
    """

    def size(job: tuple[int, str, str]) -> int:
        try:
            return store.originals.path(job[1]).stat().st_size
        except OSError:  # a missing original fails in its worker, with the reason
            return 0

    return sorted(jobs, key=size, reverse=True)
