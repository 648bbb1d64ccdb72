"""Measure callsift against the loop a user would otherwise write, in one run.

Both runs take the same folder of recordings, the same model and the same
decoding settings (beam 5, word timestamps). The naive loop is
faster-whisper's ``transcribe`` over each file, in one process; callsift is
``ingest`` + ``process``. Each run happens in its own fresh process so its
peak memory (``ru_maxrss`` of the process and its workers) is its own.
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BenchResult", "in_child", "naive_loop", "recordings", "run_bench"]


@dataclass
class BenchResult:
    """One run: seconds of audio, wall seconds, per-stage seconds, peak memory, workers."""

    name: str
    files: int
    audio_s: float
    wall_s: float
    peak_rss_mb: float
    stage_s: dict[str, float] = field(default_factory=dict)
    workers: int = 0

    @property
    def speed(self) -> float:
        """Audio seconds processed per wall second."""
        return self.audio_s / self.wall_s if self.wall_s else 0.0

    @property
    def rtf(self) -> float:
        """Real-time factor: wall seconds per audio second (lower is faster)."""
        return self.wall_s / self.audio_s if self.audio_s else 0.0


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def recordings(corpus: Path) -> list[Path]:
    """The files under ``corpus`` a loop over recordings takes: all but sheets and notes."""
    return [
        path
        for path in sorted(corpus.rglob("*"))
        if path.is_file() and path.suffix.lower() not in (".csv", ".json", ".md")
    ]


def naive_loop(corpus: str, beam_size: int, threads: int, queue: Any) -> None:
    """faster-whisper's ``transcribe`` over each file, on ``threads`` model threads (0: default)."""
    from faster_whisper import WhisperModel

    from callsift.transcribe import resolve_model

    model = WhisperModel(resolve_model(), device="cpu", compute_type="int8", cpu_threads=threads)
    audio_s, files = 0.0, 0
    started = time.perf_counter()
    for path in recordings(Path(corpus)):
        try:
            segments, info = model.transcribe(str(path), beam_size=beam_size, word_timestamps=True)
            list(segments)
        except Exception:  # the naive loop skips what it cannot read
            continue
        audio_s += info.duration
        files += 1
    wall = time.perf_counter() - started
    result = BenchResult("naive faster-whisper loop", files, audio_s, wall, _peak_rss_mb())
    result.stage_s = {"transcribe (incl. decode)": wall}
    queue.put(asdict(result))


def _callsift(
    corpus: str, beam_size: int, workers: int, translate: bool, scheduler: str | None, queue: Any
) -> None:
    from callsift.ingest.run import ingest_paths
    from callsift.pipeline import ProcessOptions
    from callsift.run import RunOptions, run_case
    from callsift.store import CaseStore
    from callsift.transcribe import TranscribeOptions

    with tempfile.TemporaryDirectory() as tmp, CaseStore(Path(tmp) / "case") as store:
        started = time.perf_counter()
        ingest_paths(store, [Path(corpus)])
        ingested = time.perf_counter()
        options = ProcessOptions(
            transcribe=TranscribeOptions(beam_size=beam_size),
            workers=workers,
            translate=translate,
            scheduler=scheduler,
        )
        run = run_case(store, RunOptions(options))  # what `callsift process` runs
        finished = time.perf_counter()
    report = run.process
    wall = finished - started
    stage_s = {
        "ingest": ingested - started,
        **report.stage_s,
        **{f"{stage} (wall)": seconds for stage, seconds in run.stage_s.items()},
    }
    name = f"callsift, {workers} worker{'s' if workers > 1 else ''}"
    if scheduler == "local":
        name = f"callsift on Dask (local), {workers} worker{'s' if workers > 1 else ''}"
    elif scheduler is not None:
        name = f"callsift on Dask ({scheduler}), the cluster's workers"
    name += ", with translation" if translate else ", no translation"
    result = BenchResult(name, report.done, report.audio_s, wall, _peak_rss_mb(), stage_s, workers)
    queue.put(asdict(result))


def in_child(target: Any, *args: Any) -> Any:
    """What ``target(*args, queue)`` puts on its queue, run in a fresh process of its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    value = queue.get()
    child.join()
    return value


def _in_child(target: Any, *args: Any) -> BenchResult:
    return BenchResult(**in_child(target, *args))


def run_bench(
    corpus: Path,
    workers: list[int],
    beam_size: int = 5,
    naive: bool = True,
    translate: bool = False,
    scheduler: str | None = None,
) -> list[BenchResult]:
    """Run the naive loop (optional) and callsift with each worker count.

    The naive loop only transcribes, so callsift runs without translation for
    a like-for-like figure, and once more with it (at the largest worker
    count) when ``translate`` is set. With a ``scheduler`` callsift runs on
    Dask: ``local`` starts a cluster of each worker count here; an address
    runs once on the workers that cluster has.
    """
    if scheduler not in (None, "local"):
        workers = [max(workers)]
    results = []
    if naive:
        results.append(_in_child(naive_loop, str(corpus), beam_size, 0))
    for count in workers:
        results.append(_in_child(_callsift, str(corpus), beam_size, count, False, scheduler))
    if translate:
        results.append(_in_child(_callsift, str(corpus), beam_size, max(workers), True, scheduler))
    return results
