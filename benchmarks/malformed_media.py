"""Decode thousands of malformed recordings and count how each one ends.

A seeded corpus is generated from short valid recordings (a tone, noise and
silence; mono and stereo; WAV PCM16, A-law and µ-law, MP3, Ogg Opus, FLAC, AMR-NB,
M4A/AAC with its index at either end, all encoded here with PyAV) by cutting them,
flipping bytes in headers and bodies, zeroing ranges, splicing two files,
duplicating and shuffling chunks and writing nonsense into header fields. Each file
is decoded with :func:`callsift.audio.decode` in a pool of worker processes, each
file under a time limit; a worker that dies or overruns is replaced and the file
counted as a crash.

Printed: how many files decoded intact, decoded but flagged damaged (``missing_s``
or ``damage`` set), were refused with ``InputError`` (per reason), and crashed
(any other exception, a dead or timed-out worker); how many cut files were not
flagged, per codec; and the slowest decode. The target is 0 crashes.

Run: ``.venv/bin/python benchmarks/malformed_media.py [--count 2000] [--seed 9]
[--workers 2] [--keep FOLDER]`` (about 10 s for 2,000 files on two cores; 15,000 take
about a minute).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import random
import re
import resource
import struct
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import av
import numpy as np

RATE = 8000
SECONDS = 1.5
# name, container format, codec, extension, sample rate, container options
FORMATS = [
    ("pcm16", "wav", "pcm_s16le", "wav", RATE, {}),
    ("alaw", "wav", "pcm_alaw", "wav", RATE, {}),
    ("mulaw", "wav", "pcm_mulaw", "wav", RATE, {}),
    ("mp3", "mp3", "libmp3lame", "mp3", RATE, {}),
    # Pages of 0.2 s, not FFmpeg's 1 s: recorders flush often, so a cut keeps something.
    ("opus", "ogg", "libopus", "ogg", 48000, {"page_duration": "200000"}),
    ("flac", "flac", "flac", "flac", RATE, {}),
    ("amr", "amr", "libopencore_amrnb", "amr", RATE, {}),
    ("aac", "mp4", "aac", "m4a", RATE, {}),
    ("aac_faststart", "mp4", "aac", "m4a", RATE, {"movflags": "faststart"}),
]
SIGNALS = ("tone", "noise", "silence")


def _signal(kind: str, channels: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    n = int(SECONDS * rate)
    t = np.arange(n) / rate
    if kind == "tone":
        row = 0.4 * np.sin(2 * np.pi * rng.uniform(200, 1200) * t)
    elif kind == "noise":
        row = 0.2 * rng.standard_normal(n)
    else:
        row = np.zeros(n)
    rows = [row * (1.0 - 0.3 * c) for c in range(channels)]
    return (np.clip(np.stack(rows), -1, 1) * 32767).astype(np.int16)


def _encode(
    path: Path, fmt: str, codec: str, rate: int, opts: dict[str, str], pcm: np.ndarray
) -> None:
    layout = "mono" if pcm.shape[0] == 1 else "stereo"
    # bitexact: no random Ogg serial, no creation time, so a seed gives the same bytes.
    with av.open(str(path), "w", format=fmt, options={"fflags": "+bitexact", **opts}) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout, options={"flags": "+bitexact"})
        if codec == "libopencore_amrnb":
            stream.bit_rate = 12200  # the mode phones use
        elif codec in ("libmp3lame", "libopus", "aac"):
            stream.bit_rate = 24000 * pcm.shape[0]
        step = 960
        for start in range(0, pcm.shape[1], step):
            chunk = np.ascontiguousarray(pcm[:, start : start + step].T).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=layout)
            frame.sample_rate, frame.pts = rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def base_recordings(folder: Path, seed: int) -> list[Path]:
    """The valid recordings the corpus is made from (AMR-NB is mono only)."""
    rng = np.random.default_rng(seed)
    paths = []
    for name, fmt, codec, ext, rate, opts in FORMATS:
        for kind in SIGNALS:
            for channels in (1, 2):
                if codec == "libopencore_amrnb" and channels == 2:
                    continue
                path = folder / f"base_{name}_{kind}_{channels}ch.{ext}"
                _encode(path, fmt, codec, rate, opts, _signal(kind, channels, rate, rng))
                paths.append(path)
    return paths


Mutation = Callable[[bytes, random.Random, bytes], bytes]
Outcome = tuple[str, str, float, float]
"""ok | flagged | refused | crash, the damage or reason, decode seconds, decoded seconds."""


def _cut(data: bytes, rng: random.Random, _: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _cut_header(data: bytes, rng: random.Random, _: bytes) -> bytes:
    return data[: rng.randrange(1, min(len(data), 600))]


def _flip(data: bytes, rng: random.Random, start: int, end: int, count: int) -> bytes:
    out = bytearray(data)
    for _ in range(count):
        at = rng.randrange(start, max(start + 1, min(end, len(out))))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def _flip_header(data: bytes, rng: random.Random, _: bytes) -> bytes:
    return _flip(data, rng, 0, 128, rng.randint(1, 4))


def _flip_body(data: bytes, rng: random.Random, _: bytes) -> bytes:
    return _flip(data, rng, len(data) // 8, len(data), rng.randint(1, 20))


def _zero_range(data: bytes, rng: random.Random, _: bytes) -> bytes:
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, max(2, len(data) // 4)))
    return data[:start] + bytes(end - start) + data[end:]


def _splice(data: bytes, rng: random.Random, other: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))] + other[rng.randrange(len(other)) :]


def _duplicate(data: bytes, rng: random.Random, _: bytes) -> bytes:
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 4096))
    at = rng.randrange(len(data))
    return data[:at] + data[start:end] + data[at:]


def _shuffle(data: bytes, rng: random.Random, _: bytes) -> bytes:
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(2, 8))))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    head, rest = pieces[0], pieces[1:]
    rng.shuffle(rest)
    return head + b"".join(rest)


# Offsets of WAV header fields (canonical 44-byte layout) and values worth trying.
_WAV_FIELDS = {
    4: "<I",
    16: "<I",
    20: "<H",
    22: "<H",
    24: "<I",
    28: "<I",
    32: "<H",
    34: "<H",
    40: "<I",
}
_NASTY = [
    0,
    1,
    2,
    3,
    7,
    8,
    24,
    255,
    1000,
    0x7FFF,
    0xFFFF,
    0xFFFE,
    0x7FFFFFFF,
    0xFFFFFFF0,
    0xFFFFFFFF,
]


def _bogus_field(data: bytes, rng: random.Random, _: bytes) -> bytes:
    """A nonsense value in a header field: the WAV fields by name, else any word."""
    out = bytearray(data)
    if data[:4] == b"RIFF":
        at = rng.choice(list(_WAV_FIELDS))
        form = _WAV_FIELDS[at]
    else:
        at, form = rng.randrange(0, min(len(data), 96) - 4), rng.choice([">I", "<I", ">H", "<H"])
    value = rng.choice(_NASTY) & (0xFFFF if form.endswith("H") else 0xFFFFFFFF)
    struct.pack_into(form, out, at, value)
    return bytes(out)


def _huge_size(data: bytes, rng: random.Random, _: bytes) -> bytes:
    """Every 32-bit size-like word near the start set to a huge value."""
    out = bytearray(data)
    for at in range(0, min(len(out), 64) - 4, 4):
        if rng.random() < 0.3:
            struct.pack_into(
                rng.choice([">I", "<I"]), out, at, rng.choice([0x7FFFFFFF, 0xFFFFFFF0])
            )
    return bytes(out)


def _append_garbage(data: bytes, rng: random.Random, _: bytes) -> bytes:
    return data + rng.randbytes(rng.randint(1, 3000))


def _tiny(data: bytes, rng: random.Random, _: bytes) -> bytes:
    return rng.choice([b"", data[:1], data[:2], data[:4]])


def _two(data: bytes, rng: random.Random, other: bytes) -> bytes:
    first, second = rng.sample([m for m in MUTATIONS.values() if m not in (_two, _tiny)], 2)
    once = first(data, rng, other) or data
    return second(once, rng, other)


MUTATIONS: dict[str, Mutation] = {
    "cut": _cut,
    "cut_header": _cut_header,
    "flip_header": _flip_header,
    "flip_body": _flip_body,
    "zero_range": _zero_range,
    "splice": _splice,
    "duplicate": _duplicate,
    "shuffle": _shuffle,
    "bogus_field": _bogus_field,
    "huge_size": _huge_size,
    "append_garbage": _append_garbage,
    "tiny": _tiny,
    "two": _two,
}
# Cuts are what the damage flag is measured on, so they get a larger share.
_WEIGHTS = {"cut": 4, "flip_header": 2, "bogus_field": 2, "two": 2}


def generate(folder: Path, count: int, seed: int) -> list[Path]:
    """Write ``count`` malformed files into ``folder``; the same seed gives the same bytes.

    File names say what was done: ``00042_cut_mp3_tone_1ch.mp3``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    base_dir = folder / "base"
    base_dir.mkdir(exist_ok=True)
    bases = base_recordings(base_dir, seed)
    sources = {path: path.read_bytes() for path in bases}
    names = list(MUTATIONS)
    weights = [_WEIGHTS.get(name, 1) for name in names]
    paths = []
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        base = rng.choice(bases)
        other = sources[rng.choice(bases)]
        name = rng.choices(names, weights)[0]
        data = MUTATIONS[name](sources[base], rng, other)
        path = folder / f"{index:05d}_{name}_{base.stem.removeprefix('base_')}{base.suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _reason_class(reason: str) -> str:
    """ "corrupt or truncated data after 0.42 s (...)" -> "corrupt or truncated data after N s"."""
    return re.sub(r"(?<![A-Za-z])-?\d+(\.\d+)?", "N", reason.split(" (")[0].split(":")[0])[:70]


def _worker(conn: Connection, memory_bytes: int) -> None:
    """Decode the paths sent down ``conn``; answer an :data:`Outcome` for each."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from callsift.audio import decode, probe
    from callsift.errors import InputError

    conn.send("ready")  # imports done: the time limit starts with the first file
    while True:
        path = conn.recv()
        if path is None:
            return
        started, duration = time.monotonic(), 0.0
        try:
            probe(Path(path))  # the header reading alone must hold up too
        except InputError:
            pass
        except Exception as error:  # noqa: BLE001 - counted below, as decode's would be
            where = traceback.extract_tb(error.__traceback__)[-1]
            conn.send(("crash", f"probe: {type(error).__name__}: {error} ({where.lineno})", 0, 0))
            continue
        try:
            info, _ = decode(Path(path))
            outcome, detail = ("flagged", info.damage or "") if info.damage else ("ok", "")
            duration = info.duration_s
        except InputError as error:
            outcome, detail = "refused", _reason_class(error.reason)
        except Exception as error:  # noqa: BLE001 - counting crashes is the point
            where = traceback.extract_tb(error.__traceback__)[-1]
            outcome = "crash"
            detail = f"{type(error).__name__}: {error} ({Path(where.filename).name}:{where.lineno})"
        conn.send((outcome, detail, time.monotonic() - started, duration))


def decode_all(
    paths: list[Path], workers: int, limit_s: float, memory_bytes: int = 3 << 30
) -> dict[Path, Outcome]:
    """Decode each path in a worker process, at most ``limit_s`` seconds each."""
    todo: queue.Queue[Path] = queue.Queue()
    for path in paths:
        todo.put(path)
    results: dict[Path, Outcome] = {}
    context = mp.get_context("spawn")

    def start() -> tuple[mp.process.BaseProcess, Connection]:
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child, memory_bytes), daemon=True)
        process.start()
        child.close()  # else a dead worker's end of the pipe stays open here: no EOF
        if parent.poll(120):
            try:
                parent.recv()
            except EOFError:
                pass  # it died starting up: the file sent to it is counted as a crash
        return process, parent

    def slot() -> None:
        process, conn = start()
        while True:
            try:
                path = todo.get_nowait()
            except queue.Empty:
                break
            try:
                conn.send(str(path))
                answered = conn.poll(limit_s)
                if answered:
                    results[path] = conn.recv()
                    continue
            except (EOFError, OSError):
                process.join(5)
                results[path] = ("crash", f"worker died (exit {process.exitcode})", 0, 0)
            else:
                results[path] = ("crash", f"no answer in {limit_s:g} s", limit_s, 0)
            process.kill()
            process.join()
            process, conn = start()
        try:
            conn.send(None)
        except OSError:
            pass
        process.join()

    threads = [threading.Thread(target=slot) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=float, default=20.0, help="seconds per file")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        started = time.monotonic()
        paths = generate(folder, args.count, args.seed)
        made = time.monotonic() - started
        results = decode_all(paths, args.workers, args.limit)
        took = time.monotonic() - started - made
        bases = decode_all(sorted((folder / "base").iterdir()), args.workers, args.limit)
    report(results, {path.stem: outcome[3] for path, outcome in bases.items()}, made, took)


def report(
    results: dict[Path, Outcome], base_s: dict[str, float], made: float, took: float
) -> None:
    """Print the counts; ``base_s`` is each base recording's decoded length, by name."""
    outcomes = Counter(outcome[0] for outcome in results.values())
    print(
        f"files                     {len(results)}  (made in {made:.0f} s, decoded in {took:.0f} s)"
    )
    print(f"decoded intact            {outcomes['ok']}")
    print(f"flagged damaged           {outcomes['flagged']}")
    print(f"refused with InputError   {outcomes['refused']}")
    for reason, n in Counter(o[1] for o in results.values() if o[0] == "refused").most_common():
        print(f"  {n:5d}  {reason}")
    print(f"crashes                   {outcomes['crash']}")
    for path, outcome in sorted(results.items()):
        if outcome[0] == "crash":
            print(f"  {path.name}: {outcome[1]}")
    worst = max(results.items(), key=lambda item: item[1][2])
    print(f"slowest decode            {worst[1][2]:.2f} s ({worst[0].name})")
    # A cut file that decodes unflagged is fine only if the cut took no audio (it fell
    # in trailing metadata); shorter than its base by more than 50 ms, it went unseen.
    cut: dict[str, Counter[str]] = {}
    for path, (outcome, _, _, duration) in results.items():
        index, mutation, rest = path.stem.split("_", 2)
        if mutation != "cut" or rest.startswith("header"):
            continue
        codec = rest.rsplit("_", 2)[0]
        if outcome == "ok":
            outcome = "complete" if duration >= base_s["base_" + rest] - 0.05 else "UNFLAGGED"
        cut.setdefault(codec, Counter())[outcome] += 1
    print("cut files by codec:   flagged  refused  complete  short and UNFLAGGED")
    for codec, counts in sorted(cut.items()):
        print(
            f"  {codec:18} {counts['flagged']:7d}  {counts['refused']:7d}  "
            f"{counts['complete']:8d}  {counts['UNFLAGGED']:8d}"
        )
    print(
        f"  {'all':18} "
        + "  ".join(
            f"{sum(c[k] for c in cut.values()):{w}d}"
            for k, w in (("flagged", 7), ("refused", 7), ("complete", 8), ("UNFLAGGED", 8))
        )
    )


if __name__ == "__main__":
    main()
