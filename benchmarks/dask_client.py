"""What the Dask client must sustain per call: bytes out, result in, one save.

On a cluster the client (``callsift process --scheduler …``) does three things
per call: reads the original and sends it (unless ``--shared-path``), receives
the pickled ``CallOutcome``, and saves it in one transaction with the job row.
This script measures each on real transcripts of the demo corpus, saved into
a fresh case, so that the README's model for N machines rests on figures.

    .venv/bin/python benchmarks/dask_client.py --case demo-case --worker-s 6.5

``--worker-s`` is one worker's wall seconds per call (``callsift bench
--scheduler local``: the one-worker run's wall time over its calls).
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from callsift.ingest.run import ingest_paths
from callsift.pipeline import CallOutcome, ProcessOptions
from callsift.records import AudioInfo
from callsift.store import CaseStore, channels_of, list_calls, segments_of
from callsift.store.jobs import finish_job, set_job_item, start_job, update_job


def outcomes(case: Path) -> list[tuple[str, CallOutcome]]:
    """What the workers handed back for each done call, rebuilt from a processed case."""
    made = []
    with CaseStore(case, create=False) as store:
        for call in list_calls(store):
            if call.status != "done":
                continue
            channels = channels_of(store, call.id)
            segments = segments_of(store, call.id)
            for channel in channels:
                channel.segments = [s for s in segments if s.channel == channel.channel]
            info = AudioInfo(call.duration_s or 0.0, 8000, len(channels), "pcm", "wav")
            made.append((call.sha256, CallOutcome(call.id, call.file, info, channels)))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", type=Path, required=True, help="a processed demo case")
    parser.add_argument("--corpus", type=Path, default=Path("demo/calls"))
    parser.add_argument("--repeat", type=int, default=5, help="saves of each call")
    parser.add_argument("--worker-s", type=float, default=0.0, help="worker seconds per call")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "source"
        shutil.copytree(args.case, copy)  # read a copy: opening a case may migrate it
        done = outcomes(copy)
        key = ProcessOptions().key()
        with CaseStore(Path(tmp) / "case") as store:
            ingest_paths(store, [args.corpus])
            ids = {call.sha256: call.id for call in list_calls(store)}
            sizes = [store.originals.path(sha).stat().st_size for sha, _ in done]
            results = [len(pickle.dumps(outcome)) for _, outcome in done]
            job = start_job(store, "process", len(done) * args.repeat)
            seconds = []
            for _ in range(args.repeat):
                for sha, outcome in done:
                    started = time.perf_counter()
                    assert outcome.info is not None
                    store.save_transcript(ids[sha], outcome.info, outcome.channels, key)
                    update_job(store, job, done=1, failed=0, item=outcome.file)
                    set_job_item(store, job, f"{outcome.file} on tcp://10.0.0.1:40000")
                    seconds.append(time.perf_counter() - started)
            finish_job(store, job, completed=True)
    save_ms = statistics.median(seconds) * 1000
    p95_ms = statistics.quantiles(seconds, n=20)[-1] * 1000
    original_kb = statistics.mean(sizes) / 1000
    result_kb = statistics.mean(results) / 1000
    print(f"calls: {len(done)}, saves: {len(seconds)}")
    print(f"original per call: mean {original_kb:.0f} kB (largest {max(sizes) / 1000:.0f} kB)")
    print(f"result per call (pickled CallOutcome): mean {result_kb:.1f} kB")
    print(f"client save per call (transcript + job row): median {save_ms:.1f} ms, p95 {p95_ms:.1f}")
    print(f"client can save about {1000 / save_ms:.0f} calls/s")
    if args.worker_s:
        rate = 100 / args.worker_s
        print(
            f"100 workers at {args.worker_s:g} s per call: {rate:.1f} calls/s to save"
            f" ({rate * save_ms / 10:.0f}% of one core), {rate * original_kb / 1000:.2f} MB/s out,"
            f" {rate * result_kb / 1000:.2f} MB/s in"
        )


if __name__ == "__main__":
    main()
