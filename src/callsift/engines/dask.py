"""Calls as tasks on Dask distributed (``--scheduler tcp://host:8786`` or ``local``).

The team starts ``dask scheduler`` on one machine and ``dask worker`` on each
of the others; each worker process loads one model on its first call and keeps
it (``pipeline._load``, as in the local pool), with as many threads as the
worker has. This process, the client, submits a few calls per worker thread at
a time, each task carrying the original's bytes (or, with ``shared_path``, its
path in a case folder every worker sees at the same path), and saves each
outcome as it comes back: workers never touch the case.

A worker hashes what it got before decoding: bytes damaged on the way, or a
shared folder serving other bytes than those ingested, fail the call with
that reason. A worker that dies or leaves is Dask's to handle: the scheduler
runs its calls again on another worker, and a call that killed
``distributed.scheduler.allowed-failures`` + 1 workers in turn fails
(``KilledWorker``). Each call's future resolves once and the client yields a
call once, so no call is saved twice; a client killed midway leaves the calls
it had not saved pending, for the next run.

A transcript's key names the arithmetic of the model's kernels, and numpy
reads its pinning (``callsift/__init__.py``) only when it is imported, which
``dask worker`` does before callsift can pin it. Workers are therefore started
with ``--preload-nanny callsift``: the nanny pins, the worker process it starts
inherits. The client checks every worker before the first call (and each call
checks the worker it runs on, for workers that join later).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from queue import Empty, SimpleQueue

import dask.config
from distributed import Client, Future, LocalCluster, get_worker
from distributed.scheduler import KilledWorker

from callsift import cpu_arithmetic, pipeline
from callsift.engines import Jobs, OnRunning
from callsift.errors import ClusterError, ModelError
from callsift.pipeline import CallOutcome, ProcessOptions
from callsift.store import CaseStore
from callsift.store.blobs import sha256_file
from callsift.transcribe import resolve_model

__all__ = ["CallTask", "outcomes"]

_UNCAPPED: dict[str, str] = {}
"""Nothing added to a LocalCluster worker's environment: a pool worker's, exactly.

Dask's default sets ``MALLOC_TRIM_THRESHOLD_``, which tripled the page faults of
a transcription here, and caps OpenMP and BLAS at one thread. The cap no longer
changes words (the features hold OpenBLAS to one thread themselves,
``transcribe.whisper.OneThreadFeatures``), so workers of a user's own cluster
may keep it.
"""

_POLL_S = 2.0
"""How often the client looks at which calls run where, while none finishes."""


@dataclass(frozen=True)
class CallTask:
    """One call as its task carries it to a worker.

    Attributes:
        call_id: the call's id in the case.
        sha256: its original's hash at ingest, checked on the worker.
        file: its file name, for reasons and progress.
        original: the original's bytes, or its path on storage all workers share.
    """

    call_id: int
    sha256: str
    file: str
    original: bytes | str


def outcomes(
    store: CaseStore, jobs: Jobs, options: ProcessOptions, on_running: OnRunning | None = None
) -> Iterator[CallOutcome]:
    """Each job's outcome as its task finishes on the cluster ``options.scheduler`` names."""
    arithmetic = cpu_arithmetic()
    with _connected(options) as client:
        _check_workers(client, arithmetic, options)
        queue = iter(jobs)
        running: dict[Future, tuple[int, str]] = {}
        yielded: set[int] = set()
        done: SimpleQueue[Future] = SimpleQueue()
        shown = ""
        while True:
            # A few calls per worker thread in flight: the case's bytes never all in memory.
            slots = 2 * max(1, sum(client.nthreads().values()))
            while len(running) < slots and (job := next(queue, None)) is not None:
                call_id, sha256, file = job
                task = CallTask(call_id, sha256, file, _original(store, sha256, options))
                key = f"callsift-call-{call_id}-{uuid.uuid4().hex}"
                future = client.submit(_run, task, options, arithmetic, key=key, pure=False)
                future.add_done_callback(done.put)
                running[future] = (call_id, file)
            if not running:
                return
            for future in _finished(done, _POLL_S):
                call_id, file = running.pop(future)
                outcome = _result(future, call_id, file, client)
                if call_id not in yielded:  # a duplicate result is dropped, never saved
                    yielded.add(call_id)
                    yield outcome
            where = _where(client, running)
            if on_running and where != shown:
                on_running(where)
                shown = where


def _finished(done: SimpleQueue[Future], timeout: float) -> list[Future]:
    """The futures that finished, waiting up to ``timeout`` for the first."""
    try:
        ready = [done.get(timeout=timeout)]
    except Empty:
        return []
    while not done.empty():
        ready.append(done.get())
    return ready


@contextmanager
def _connected(options: ProcessOptions) -> Iterator[Client]:
    """A client of the named scheduler, or of a cluster of ``workers`` processes made here."""
    if options.scheduler == "local":
        # These workers keep this process's environment, as the local pool's do
        # (see _UNCAPPED for what Dask's default would add).
        with dask.config.set({"distributed.nanny.pre-spawn-environ": _UNCAPPED}):
            cluster = LocalCluster(
                n_workers=max(1, options.workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # no dashboard; its port only so as not to clash
                scheduler_kwargs={"dashboard": False},
                silence_logs=logging.ERROR,
            )
        with cluster, Client(cluster, set_as_default=False) as client:
            yield client
        return
    try:
        client = Client(options.scheduler, timeout=30, set_as_default=False)
    except (OSError, ValueError) as error:
        message = f"cannot reach the Dask scheduler at {options.scheduler}: {error}"
        raise ClusterError(message) from error
    with client:
        yield client


def _original(store: CaseStore, sha256: str, options: ProcessOptions) -> bytes | str:
    path = store.originals.path(sha256)
    return str(path.resolve()) if options.shared_path else path.read_bytes()


def _check_workers(client: Client, arithmetic: str, options: ProcessOptions) -> None:
    """Every worker now connected computes as this process does and has the model."""
    answers = client.run(_worker_problem, arithmetic, options.transcribe.model.name)
    problems = [f"Dask worker {where}: {problem}" for where, problem in answers.items() if problem]
    if problems:
        raise ClusterError("; ".join(sorted(problems)))


def _worker_problem(arithmetic: str, model: str) -> str | None:
    """Why this worker cannot transcribe as the client would, or None (runs on a worker)."""
    problem = _arithmetic_problem(arithmetic)
    if problem:
        return problem
    try:
        resolve_model(model)  # the default model assembled and hash-checked on this machine
    except ModelError as error:
        return str(error)
    return None


def _arithmetic_problem(arithmetic: str) -> str | None:
    mine = cpu_arithmetic()
    if mine == arithmetic:
        return None
    return (
        f"its model arithmetic is {mine}, the client's {arithmetic}, so its words may differ:"
        " start it as `dask worker ADDRESS --preload-nanny callsift` (numpy, loaded before"
        " callsift, keeps its own kernels) with the client's CALLSIFT_REPRODUCIBLE"
    )


def _run(task: CallTask, options: ProcessOptions, arithmetic: str) -> CallOutcome:
    """One call on a Dask worker: its original checked, then what the local pool runs."""
    worker = get_worker()
    problem = _arithmetic_problem(arithmetic)
    if problem:
        return CallOutcome(
            task.call_id, task.file, error=f"Dask worker {worker.address}: {problem}"
        )
    model = replace(options.transcribe.model, cpu_threads=worker.state.nthreads)
    options = replace(options, transcribe=replace(options.transcribe, model=model))
    with _checked(task, worker.local_directory) as (path, problem):
        if path is None:
            return CallOutcome(task.call_id, task.file, error=problem)
        return pipeline._guarded(path, task.call_id, task.file, options)


@contextmanager
def _checked(task: CallTask, scratch: str) -> Iterator[tuple[Path | None, str | None]]:
    """The original as a file on this worker with its hash checked, or why not.

    Received bytes go to a private temp file in the worker's scratch folder
    (decoding reads a path), removed afterwards.
    """
    if isinstance(task.original, str):
        try:
            found = sha256_file(Path(task.original))
        except OSError as error:
            yield (
                None,
                (
                    f"the original of {task.file} cannot be read on this worker"
                    f" ({task.original}: {error.strerror}); --shared-path needs the case"
                    " folder at the same path on every worker"
                ),
            )
            return
        what = f"the original of {task.file} at {task.original} on this worker"
    else:
        found = hashlib.sha256(task.original).hexdigest()
        what = f"the bytes of {task.file} this worker received"
    if found != task.sha256:
        yield (
            None,
            (f"{what} have SHA-256 {found}, not {task.sha256} recorded at ingest; not transcribed"),
        )
        return
    if isinstance(task.original, str):
        yield Path(task.original), None
        return
    handle, name = tempfile.mkstemp(prefix="callsift-", dir=scratch)
    try:
        with os.fdopen(handle, "wb") as copy:
            copy.write(task.original)
        yield Path(name), None
    finally:
        os.unlink(name)


def _result(future: Future, call_id: int, file: str, client: Client) -> CallOutcome:
    """The worker's outcome, or why none came (a call that killed its workers)."""
    try:
        outcome = future.result()
    except KilledWorker as error:
        reason = (
            f"the Dask worker process died on this call {error.allowed_failures + 1} times,"
            f" last on {error.last_worker.address} (out of memory or a crash in a decoder"
            " or the model)"
        )
    except CancelledError as error:  # the scheduler went away or was restarted
        raise ClusterError(
            f"the Dask scheduler at {_address(client)} dropped the calls ({error});"
            " those not saved stay pending: run again"
        ) from error
    except Exception as error:
        reason = pipeline._unexpected(error)
    else:
        assert isinstance(outcome, CallOutcome)
        return outcome
    return CallOutcome(call_id, file, error=reason)


def _where(client: Client, running: dict[Future, tuple[int, str]]) -> str:
    """Which calls run on which worker, e.g. ``call_003.wav on tcp://10.0.0.5:40123``."""
    if not client.nthreads():
        return f"waiting for a Dask worker to join {_address(client)}"
    files = {future.key: file for future, (_, file) in running.items()}
    on = client.processing()
    return ", ".join(
        f"{files[key]} on {worker}"
        for worker, keys in sorted(on.items())
        for key in keys
        if key in files
    )


def _address(client: Client) -> str:
    address = client.scheduler.address if client.scheduler is not None else None
    return str(address or "(disconnected)")
