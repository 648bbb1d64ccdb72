"""Kill callsift with SIGKILL at random moments and check that nothing was lost.

Each round starts ``callsift ingest``, ``process`` or ``export`` on a small case
in a subprocess, kills it (``kill -9`` of the whole process group, workers
included) after a random delay, and then runs the same command to the end.
After every kill the case is checked:

* lost: an original that was ingested (it has a row) but whose file is gone,
  or a call that was done before the kill and is no longer done;
* duplicated: a call with more than one ``transcribe`` custody entry for one
  processing key, or two rows for one original;
* orphans: an original with no row, or a temp file a killed copy left
  (``originals/.incoming-*``), still there after the next run;
* ``PRAGMA integrity_check`` is ``ok``.

Usage: ``.venv/bin/python benchmarks/kill_soak.py [--kills 50] [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLSIFT = [sys.executable, "-m", "callsift"]


@dataclass
class KillReport:
    kills: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    duplicated: int = 0
    orphans: int = 0
    integrity_failures: int = 0
    problems: list[str] = field(default_factory=list)


def corpus(folder: Path) -> Path:
    """Twelve short calls: the demo corpus's smallest files and real Russian clips."""
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    demo = sorted((ROOT / "demo" / "calls").glob("call_0*"), key=lambda p: p.stat().st_size)
    for path in demo[:9]:
        shutil.copy(path, inbox / path.name)
    real = ROOT / "tests" / "data" / "real"
    for name in ("ru_pisets_test_sound_ru.wav", "ru_deepspeech_smoke_ru.wav"):
        shutil.copy(real / name, inbox / name)
    shutil.copy(ROOT / "demo" / "calls" / "metadata.csv", inbox / "metadata.csv")
    return inbox


def _kill_after(command: list[str], delay: float) -> bool:
    """Run ``command`` in its own process group; SIGKILL it after ``delay`` s. True if killed."""
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def _state(case: Path) -> dict[str, object]:
    """Calls done, transcribe entries per call and key, rows per original, blobs on disk."""
    conn = sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT id, sha256, status FROM calls").fetchall()
        transcribed = Counter(
            (sha, json.dumps(json.loads(detail)["processed_with"], sort_keys=True))
            for sha, detail in conn.execute(
                "SELECT sha256, detail FROM custody WHERE action = 'transcribe'"
            )
        )
    finally:
        conn.close()
    blobs = {p.name for p in (case / "originals").glob("*/*") if p.is_file()}
    stray = [p.name for p in (case / "originals").glob(".incoming-*")]
    return {
        "integrity": integrity,
        "done": {sha for _, sha, status in rows if status == "done"},
        "shas": Counter(sha for _, sha, _ in rows),
        "transcribed": transcribed,
        "blobs": blobs,
        "stray": stray,
    }


def _audit(case: Path, before_done: set[str], report: KillReport, where: str) -> set[str]:
    state = _state(case)
    shas: Counter[str] = state["shas"]  # type: ignore[assignment]
    blobs: set[str] = state["blobs"]  # type: ignore[assignment]
    done: set[str] = state["done"]  # type: ignore[assignment]
    transcribed: Counter[tuple[str, str]] = state["transcribed"]  # type: ignore[assignment]
    if state["integrity"] != "ok":
        report.integrity_failures += 1
        report.problems.append(f"{where}: integrity_check {state['integrity']}")
    lost = [sha for sha in shas if sha not in blobs] + sorted(before_done - done)
    report.lost += len(lost)
    duplicated = [sha for sha, n in shas.items() if n > 1]
    duplicated += [sha for (sha, _), n in transcribed.items() if n > 1]
    report.duplicated += len(duplicated)
    orphans = [blob for blob in blobs if blob not in shas] + list(state["stray"])  # type: ignore[call-overload]
    report.orphans += len(orphans)
    for what, items in (("lost", lost), ("duplicated", duplicated), ("orphan", orphans)):
        if items:
            report.problems.append(f"{where}: {what} {sorted(items)[:3]}")
    return done


def soak(kills: int, seed: int) -> KillReport:
    """``kills`` rounds: a tenth ``ingest``, seven tenths ``process``, the rest ``export``.

    A ``process`` round kills a run part-way; the case keeps whatever that run
    finished, and the next round goes on from there, so a case takes several
    kills before a run ends by itself (then a fresh case is ingested).
    """
    rng = random.Random(seed)
    report = KillReport()
    with tempfile.TemporaryDirectory(prefix="callsift-kill-") as tmp:
        inbox = corpus(Path(tmp))
        plan = ["ingest"] * max(1, kills // 10) + ["process"] * max(1, kills * 7 // 10)
        plan += ["export"] * (kills - len(plan))
        rng.shuffle(plan)
        case = Path(tmp) / "case-0"
        _complete(["ingest", str(inbox)], case)
        started = time.monotonic()
        for number, kind in enumerate(plan):
            args, (low, high) = _ROUNDS[kind]
            if kind == "ingest":
                case = Path(tmp) / f"case-{number + 1}"
                args = [*args, str(inbox)]
            elif kind == "export":
                args = [*args, "-o", str(Path(tmp) / f"package-{number}.zip")]
            before: set[str] = _state(case)["done"] if (case / "case.db").exists() else set()  # type: ignore[assignment]
            killed = _kill_after([*CALLSIFT, *args, "--case", str(case)], rng.uniform(low, high))
            report.kills[kind] += killed
            if kind != "process":  # the next start finishes the job and cleans up after the kill
                _complete(args, case)
            done = _audit(case, before, report, f"round {number + 1} ({kind})")
            if kind == "process" and not killed:
                report.problems += [] if done else [f"round {number + 1}: nothing was processed"]
            print(
                f"\r{number + 1}/{len(plan)} rounds, {sum(report.kills.values())} kills,"
                f" {time.monotonic() - started:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
        print(file=sys.stderr)
    return report


_ROUNDS = {
    "ingest": (["ingest"], (0.3, 2.5)),
    "process": (["process", "--workers", "1", "--no-translate"], (3.0, 12.0)),
    "export": (["export", "1", "2", "3", "4"], (0.5, 3.0)),
}
"""Each command and the range of seconds after which it is killed."""


def _complete(args: list[str], case: Path) -> None:
    subprocess.run(
        [*CALLSIFT, *args, "--case", str(case)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = soak(args.kills, args.seed)
    print(
        f"kill -9: {sum(report.kills.values())} kills ({dict(report.kills)}); lost {report.lost},"
        f" duplicated {report.duplicated}, orphans {report.orphans},"
        f" integrity failures {report.integrity_failures}"
    )
    for problem in report.problems:
        print("  " + problem)
    bad = report.lost + report.duplicated + report.orphans + report.integrity_failures
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
