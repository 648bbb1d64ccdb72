"""Faults that a pool worker can meet, for the isolation tests (imported in the worker)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from callsift import pipeline
from callsift.pipeline import CallOutcome, ProcessOptions


def faulty_worker(path: Path, call_id: int, file: str, options: ProcessOptions) -> CallOutcome:
    """What the pool runs for one call, with a fault chosen by the file's name."""
    if file.startswith("segfault"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if file.startswith("oom"):
        os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer sends
    if file.startswith("hang"):
        time.sleep(600)
    if file.startswith("bug"):
        pipeline.speech_regions = None  # type: ignore[assignment]  # a TypeError inside the call
    return pipeline._guarded(path, call_id, file, options)
