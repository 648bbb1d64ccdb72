"""Kill callsift with SIGKILL at random moments and check that nothing was lost.

Each round starts ``callsift ingest``, ``process`` or ``export`` on a small case
in a subprocess, kills it (``kill -9`` of the whole process group, workers
included) after a random delay, and then runs the same command to the end.
After every kill the case is checked:

* lost: an original that was ingested (it has a row) but whose file is gone,
  or a call that was done before the kill and is no longer done;
* duplicated: a call with more than one ``transcribe`` custody entry for one
  processing key, or two rows for one original;
* orphans: an original that neither a call nor a custody entry names (a
  metadata sheet is kept as an original with a custody entry and no call),
  or a temp file a killed copy left (``originals/.incoming-*``), still there
  after the next run;
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
    """The demo corpus (26 files and its sheet) and two real Russian clips."""
    inbox = folder / "inbox"
    shutil.copytree(ROOT / "demo" / "calls", inbox)
    real = ROOT / "tests" / "data" / "real"
    for name in ("ru_pisets_test_sound_ru.wav", "ru_deepspeech_smoke_ru.wav"):
        shutil.copy(real / name, inbox / name)
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
        recorded = {
            row[0] for row in conn.execute("SELECT sha256 FROM custody WHERE sha256 IS NOT NULL")
        }
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
        "recorded": recorded,
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
    recorded: set[str] = state["recorded"]  # type: ignore[assignment]
    orphans = [blob for blob in blobs if blob not in shas and blob not in recorded]
    orphans += list(state["stray"])  # type: ignore[call-overload]
    report.orphans += len(orphans)
    for what, items in (("lost", lost), ("duplicated", duplicated), ("orphan", orphans)):
        if items:
            report.problems.append(f"{where}: {what} {sorted(items)[:3]}")
    return done


def soak(kills: int, seed: int) -> KillReport:
    """Until ``kills`` runs were killed: a tenth in ``ingest``, seven tenths in ``process``.

    A ``process`` kill leaves the case with whatever that run finished, and the
    next ``process`` round goes on from there, so one case takes several kills;
    a run that ends by itself has done the case, and a fresh one is ingested.
    An ``ingest`` round kills ingesting a new case, an ``export`` round an
    export of the current one; each is then run again to the end.
    """
    rng = random.Random(seed)
    report = KillReport()
    wanted = {"ingest": max(1, kills // 10), "process": max(1, kills * 7 // 10)}
    wanted["export"] = max(0, kills - sum(wanted.values()))
    with tempfile.TemporaryDirectory(prefix="callsift-kill-") as tmp:
        inbox = corpus(Path(tmp))
        cases = iter(Path(tmp) / f"case-{n}" for n in range(10 * kills))
        case = next(cases)
        _complete(["ingest", str(inbox)], case)
        started = time.monotonic()
        for number in range(4 * kills):
            left = [kind for kind, n in wanted.items() if report.kills[kind] < n]
            if not left:
                break
            kind = rng.choice(left)
            args, (low, high) = _ROUNDS[kind]
            if kind == "ingest":
                case = next(cases)
                args = [*args, str(inbox)]
            elif kind == "export":
                args = [*args, "-o", str(Path(tmp) / f"package-{number}.zip")]
            before: set[str] = _state(case)["done"] if (case / "case.db").exists() else set()  # type: ignore[assignment]
            killed = _kill_after([*CALLSIFT, *args, "--case", str(case)], rng.uniform(low, high))
            report.kills[kind] += killed
            if kind != "process":  # the next start finishes the job and cleans up after the kill
                _complete(args, case)
            _audit(case, before, report, f"round {number + 1} ({kind})")
            if kind == "process" and not killed:  # this case is done: go on with a new one
                case = next(cases)
                _complete(["ingest", str(inbox)], case)
            print(
                f"\r{number + 1} rounds, {sum(report.kills.values())} kills,"
                f" {time.monotonic() - started:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
        print(file=sys.stderr)
    return report


_ROUNDS = {
    "ingest": (["ingest"], (1.0, 4.0)),
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
