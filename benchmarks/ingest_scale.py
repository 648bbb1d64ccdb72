"""Ingest at scale: N small files, then a ZIP of N members, each into a fresh case.

Generates N tiny synthetic recordings (fictional: 0.1 s of seeded noise at
8 kHz, each one different, with a WAV ``LIST/INFO`` comment saying they are
synthetic) and a metadata sheet naming them, in a folder and in a ZIP, then
ingests each into its own case in a child process (so its peak RSS is its own)
and prints files per second, wall time and peak RSS. It also kills an ingest
with SIGKILL about half way, resumes it and checks the case: no call or custody
entry twice, the chain intact, no original left without its record.

``measure_ingest(files, root)`` returns the figures as a dict for
``benchmarks/scale.py``.

Run: ``.venv/bin/python benchmarks/ingest_scale.py [--files 10000] [--files 1000 …]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["make_corpus", "measure_ingest", "main"]

_RATE = 8000
_SAMPLES = 800  # 0.1 s
_COMMENT = b"synthetic test signal, fictional; callsift benchmarks/ingest_scale.py\x00"


def wav_bytes(seed: int) -> bytes:
    """A tiny mono 16-bit WAV of seeded noise, marked synthetic in its INFO chunk."""
    noise = random.Random(seed).randbytes(_SAMPLES * 2)
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(_COMMENT)) + _COMMENT
    fmt = struct.pack("<HHIIHH", 1, 1, _RATE, _RATE * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"LIST" + struct.pack("<I", len(info)) + info
    body += b"data" + struct.pack("<I", len(noise)) + noise
    return b"RIFF" + struct.pack("<I", len(body)) + body


def make_corpus(files: int, root: Path) -> tuple[Path, Path, Path]:
    """``files`` recordings in ``root/folder`` (100 per subfolder) with a sheet, and
    the same as a ZIP ``root/calls.zip`` and a TAR ``root/calls.tar``; returns the three."""
    folder = root / "folder"
    sheet = ["file,caller,receiver,started_at"]
    with zipfile.ZipFile(root / "calls.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(files):
            name = f"day{number // 100:03d}/call{number:05d}.wav"
            data = wav_bytes(number)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
            archive.writestr(name, data)
            sheet.append(
                f"{name},+7 900 {number:07d},+380 44 {number:07d},2022-03-01T10:00:00+03:00"
            )
        text = "\n".join(sheet) + "\n"
        (folder / "calls.csv").write_text(text, encoding="utf-8")
        archive.writestr("calls.csv", text)
    with tarfile.open(root / "calls.tar", "w") as tar:
        tar.add(folder, arcname=".", filter=_anonymous)
    return folder, root / "calls.zip", root / "calls.tar"


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uname = info.gname = ""
    info.uid = info.gid = 0
    return info


_CHILD = """
import json, os, resource, signal, sys, time
from pathlib import Path
from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore
case, source, kill_after = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
seen = 0
def on_item(name):
    global seen
    seen += 1
    if seen == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)
with CaseStore(case) as store:
    start = time.perf_counter()
    report = ingest_paths(store, [source], on_item=on_item)
    wall = time.perf_counter() - start
# VmHWM is this process's own peak: ru_maxrss also holds the parent's from before exec.
status = Path("/proc/self/status")
lines = status.read_text().splitlines() if status.exists() else []
hwm = [line.split()[1] for line in lines if line.startswith("VmHWM")]
peak = int(hwm[0]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peak /= 1024
print(json.dumps({"wall_s": wall, "peak_rss_mb": peak, "new_calls": report.new_calls,
                  "unchanged": report.unchanged, "failures": len(report.failures),
                  "metadata_rows": report.metadata_rows}))
"""


def _ingest(case: Path, source: Path, kill_after: int = 0) -> dict[str, Any]:
    """Run one ingest in a child process; ``kill_after`` > 0 kills it at that item."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(case), str(source), str(kill_after)],
        capture_output=True,
        text=True,
        check=False,
    )
    if kill_after and done.returncode == -signal.SIGKILL:
        return {"killed": True}
    if done.returncode != 0:
        raise RuntimeError(f"ingest of {source} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def _check(case: Path, files: int) -> list[str]:
    """What is wrong with a case that should hold ``files`` calls, each logged once."""
    from callsift.store import CaseStore
    from callsift.store.custody import custody_problems

    with CaseStore(case) as store:
        problems = custody_problems(store.conn, case)
        calls = store.conn.execute("SELECT count(*) FROM calls").fetchone()[0]
        logged = store.conn.execute(
            "SELECT count(*), count(DISTINCT sha256) FROM custody WHERE action = 'ingest'"
        ).fetchone()
        on_disk = sum(1 for _ in store.originals.stored())
    if calls != files:
        problems.append(f"{calls} calls, expected {files}")
    if tuple(logged) != (files, files):
        problems.append(f"{logged[0]} ingest entries for {logged[1]} originals, expected {files}")
    if on_disk != files + 1:  # and the sheet
        problems.append(f"{on_disk} originals on disk, expected {files + 1}")
    return problems


def measure_ingest(files: int, root: Path) -> dict[str, Any]:
    """Ingest ``files`` recordings from a folder and from a ZIP, and a killed-and-resumed
    folder ingest, each into a fresh case under ``root``; the figures as a dict."""
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    folder, archive, tar = make_corpus(files, root)
    made = time.perf_counter() - started
    folder_run = _ingest(root / "case-folder", folder)
    again = _ingest(root / "case-folder", folder)
    archive_run = _ingest(root / "case-zip", archive)
    tar_run = _ingest(root / "case-tar", tar)
    killed = _ingest(root / "case-resumed", folder, kill_after=files // 2)
    resumed = _ingest(root / "case-resumed", folder)
    problems = _check(root / "case-folder", files) + _check(root / "case-resumed", files)
    problems += _check(root / "case-zip", files) + _check(root / "case-tar", files)
    return {
        "files": files,
        "corpus_s": round(made, 1),
        "wall_s": round(folder_run["wall_s"], 2),
        "files_per_s": round(files / folder_run["wall_s"], 1),
        "peak_rss_mb": round(folder_run["peak_rss_mb"], 1),
        "again_wall_s": round(again["wall_s"], 2),
        "again_files_per_s": round(files / again["wall_s"], 1),
        "archive_wall_s": round(archive_run["wall_s"], 2),
        "archive_files_per_s": round(files / archive_run["wall_s"], 1),
        "archive_peak_rss_mb": round(archive_run["peak_rss_mb"], 1),
        "tar_files_per_s": round(files / tar_run["wall_s"], 1),
        "tar_peak_rss_mb": round(tar_run["peak_rss_mb"], 1),
        "killed_at": files // 2 if killed.get("killed") else None,
        "resume_wall_s": round(resumed["wall_s"], 2),
        "resume_new_calls": resumed["new_calls"],
        "resume_unchanged": resumed["unchanged"],
        "problems": problems,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, action="append", help="N (repeatable)")
    parser.add_argument("--keep", type=Path, help="build under this folder and keep it")
    args = parser.parse_args()
    rows = []
    for files in args.files or [1000, 10_000]:
        if args.keep:
            rows.append(measure_ingest(files, args.keep / f"n{files}"))
        else:
            with tempfile.TemporaryDirectory(prefix="ingest-scale-") as tmp:
                rows.append(measure_ingest(files, Path(tmp)))
        print(json.dumps(rows[-1]), flush=True)
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "| files | folder files/s | RSS MB | again files/s | ZIP files/s | RSS MB"
        " | TAR files/s | RSS MB | resumed after kill -9 at 50 %: s | problems |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['files']:,} | {r['files_per_s']:.0f} | {r['peak_rss_mb']:.0f}"
            f" | {r['again_files_per_s']:.0f} | {r['archive_files_per_s']:.0f}"
            f" | {r['archive_peak_rss_mb']:.0f} | {r['tar_files_per_s']:.0f}"
            f" | {r['tar_peak_rss_mb']:.0f} | {r['resume_wall_s']}"
            f" | {'; '.join(r['problems']) or 'none'} |"
        )


if __name__ == "__main__":
    main()
