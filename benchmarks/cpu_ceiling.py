"""How far callsift can outrun the naive loop on this machine's cores, and what batching buys.

    .venv/bin/python benchmarks/cpu_ceiling.py [--corpus demo/calls] [--skip-runs]

``callsift bench`` compares callsift's worker pool with faster-whisper's
loop over the files in one process. Its ratio has a ceiling set by the
machine: a pool cannot go faster than one worker's speed on one core times
the cores, while the naive loop's one process already uses a second core
(partly: beam search spreads poorly over threads). This prints the parts of
that ceiling, each measured in its own process:

- the naive loop on one model thread, and on faster-whisper's default
  (``cpu_threads=0``), which ``callsift bench`` runs;
- callsift's work per call (``pipeline.process_call``: decode, speech,
  transcription with word timings, the language check, the speaker split;
  no English) on one model thread, the work one pool worker does;
- the ceiling on this machine's cores: the naive loop's wall time against
  callsift's one-thread time divided by the cores.

It then times CTranslate2's decoder alone, on the first 30 s window of eight
demo calls, one window at a time and in batches of 2, 4 and 8 (beam 5, one
thread), and checks that each window's tokens are the same in a batch as
alone: the saving batching calls across a worker could bring to decoding.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from callsift.bench import in_child, naive_loop, recordings

REPO = Path(__file__).resolve().parents[1]


def one_worker(corpus: str, threads: int, queue: Any) -> None:
    """A pool worker's work over the corpus, in this process, on ``threads`` model threads."""
    from callsift import pipeline
    from callsift.pipeline import ProcessOptions
    from callsift.transcribe import ModelSpec, TranscribeOptions, load_model

    spec = ModelSpec(cpu_threads=threads)
    options = ProcessOptions(transcribe=TranscribeOptions(model=spec), translate=False)
    model = load_model(spec)
    started = time.perf_counter()
    for path in recordings(Path(corpus)):
        pipeline._guarded(path, 0, path.name, options, model)
    queue.put(time.perf_counter() - started)


def decoder_batches(corpus: str, queue: Any) -> None:
    """Decoder CPU seconds per batch size, and whether batched tokens equal the lone ones."""
    import ctranslate2
    import numpy as np
    from faster_whisper.audio import decode_audio, pad_or_trim

    from callsift.transcribe import ModelSpec, load_model

    model = load_model(ModelSpec(cpu_threads=1))
    windows = []
    for path in recordings(Path(corpus))[:8]:
        features = model.feature_extractor(decode_audio(str(path), sampling_rate=16000))
        view = ctranslate2.StorageView.from_array(pad_or_trim(features[..., :3000])[None])
        windows.append(np.array(model.model.encode(view, to_cpu=True)))
    tokenizer = model.hf_tokenizer
    start = ("<|startoftranscript|>", "<|ru|>", "<|transcribe|>")
    prompt = [tokenizer.token_to_id(token) for token in start]

    def decode(batch: list[Any]) -> list[list[int]]:
        view = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.concatenate(batch)))
        results = model.model.generate(view, [prompt] * len(batch), beam_size=5, max_length=224)
        return [r.sequences_ids[0] for r in results]

    rows = []
    alone: list[list[int]] = []
    for size in (1, 2, 4, 8):
        started = time.process_time()
        tokens = [t for i in range(0, len(windows), size) for t in decode(windows[i : i + size])]
        seconds = time.process_time() - started
        alone = alone or tokens
        rows.append((size, seconds, sum(a == b for a, b in zip(alone, tokens, strict=True))))
    queue.put((rows, len(windows), sum(len(t) for t in alone)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "demo" / "calls")
    parser.add_argument("--skip-runs", action="store_true", help="only the decoder batches")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"{cores} cores, load {os.getloadavg()[0]:.2f}, corpus {args.corpus}")
    if not args.skip_runs:
        corpus = str(args.corpus)
        one = in_child(naive_loop, corpus, 5, 1)["wall_s"]
        default = in_child(naive_loop, corpus, 5, 0)["wall_s"]
        worker = in_child(one_worker, corpus, 1)
        print(f"naive loop, 1 model thread:              {one:6.1f} s")
        print(f"naive loop, default threads (the bench): {default:6.1f} s ({one / default:.2f}x)")
        print(f"callsift's work per call, 1 thread:      {worker:6.1f} s")
        best = worker / cores
        print(
            f"ceiling on {cores} cores: {best:.1f} s if {cores} workers never wait,"
            f" {default / best:.2f}x the naive loop"
        )
    rows, windows, tokens = in_child(decoder_batches, str(args.corpus))
    print(f"decoder alone, {windows} windows, {tokens} tokens, beam 5, 1 thread:")
    lone = rows[0][1]
    for size, seconds, same in rows:
        print(
            f"  batch {size}: {seconds:5.2f} CPU s ({lone / seconds:.2f}x),"
            f" tokens as alone: {same}/{windows}"
        )
    print(f"load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
