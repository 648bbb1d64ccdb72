"""Ingest of many files: batches, a run resumed after ``kill -9``, files passed over unread.

The recordings are tiny synthetic WAVs (``benchmarks/ingest_scale.py``), a few
hundred of them in a folder and in a ZIP: more than two batches of ``Intake``.
"""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from callsift.ingest.archives import archive_kind
from callsift.ingest.run import ingest_paths
from callsift.ingest.sources import iter_sources
from callsift.records import SourceFile
from callsift.store import CaseStore
from callsift.store.custody import custody_problems
from callsift.store.intake import BATCH_FILES

from ..cli.conftest import run

_SPEC = importlib.util.spec_from_file_location(
    "ingest_scale", Path(__file__).parents[2] / "benchmarks" / "ingest_scale.py"
)
assert _SPEC is not None and _SPEC.loader is not None
_BENCHMARK = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_BENCHMARK)
wav_bytes = _BENCHMARK.wav_bytes  # tiny synthetic recordings, each its own bytes
FOLDER_FILES, MEMBERS = 300, 200


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``calls/`` of 300 recordings in three folders, and ``calls.zip`` of 200 others."""
    root = tmp_path_factory.mktemp("inbox")
    for number in range(FOLDER_FILES):
        path = root / "calls" / f"day{number // 100}" / f"{number:04d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav_bytes(number))
    with zipfile.ZipFile(root / "calls.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(FOLDER_FILES, FOLDER_FILES + MEMBERS):
            archive.writestr(f"day9/{number:04d}.wav", wav_bytes(number))
    return root


def kill_mid_ingest(case_root: Path, inbox: Path, where: str, at: int) -> None:
    """Ingest the inbox in a child that SIGKILLs itself: between two files (the ``at``-th
    file seen) or while recording a batch (its ``at``-th call, originals placed)."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from callsift.ingest.run import ingest_paths
        from callsift.store import CaseStore, intake

        intake.BATCH_SECONDS = 1e9  # batches of BATCH_FILES however slow the machine
        count = 0
        def die_at(*args):
            global count
            count += 1
            if count == {at}:
                os.kill(os.getpid(), signal.SIGKILL)
            if {where!r} == "recording":
                return real(*args)

        store = CaseStore(Path({str(case_root)!r}))
        real = store.add_call
        if {where!r} == "recording":
            store.add_call = die_at
        inbox = Path({str(inbox)!r})
        ingest_paths(store, [inbox / "calls", inbox / "calls.zip"],
                     on_item=die_at if {where!r} == "between" else None)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == -9


def originals_on_disk(case: CaseStore) -> set[str]:
    """Every file under originals/ but the lock: originals and temp files."""
    root = case.originals.root
    return {p.name for p in root.rglob("*") if p.is_file() and p.name != ".intake.lock"}


def assert_whole(case: CaseStore, calls: int) -> None:
    """Each call once, logged ``ingest`` once, its original on disk and nothing else."""
    shas = [row[0] for row in case.conn.execute("SELECT sha256 FROM calls")]
    assert len(shas) == len(set(shas)) == calls
    logged = [e["sha256"] for e in case.custody() if e["action"] == "ingest"]
    assert sorted(logged) == sorted(shas)
    assert not [e for e in case.custody() if e["action"] in ("ingest-again", "ingest-duplicate")]
    assert originals_on_disk(case) == set(shas)
    assert custody_problems(case.conn, case.root) == []


@pytest.mark.parametrize(
    ("where", "at"),
    [
        ("between", BATCH_FILES + 50),  # in the folder, half a batch copied
        ("between", FOLDER_FILES + 150),  # in the ZIP
        ("recording", BATCH_FILES + 30),  # a batch placed and synced, half recorded
    ],
)
def test_a_run_killed_midway_resumes_and_takes_each_file_once(
    case: CaseStore, inbox: Path, where: str, at: int
) -> None:
    kill_mid_ingest(case.root, inbox, where, at)
    done = case.conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    assert done == (at - 1) // BATCH_FILES * BATCH_FILES  # whole batches only

    report = ingest_paths(case, [inbox / "calls", inbox / "calls.zip"])

    assert (report.unchanged, report.new_calls) == (done, FOLDER_FILES + MEMBERS - done)
    assert report.files == FOLDER_FILES + MEMBERS and report.failures == []
    left = report.recovered
    if where == "recording":  # the batch's originals were in place, without their rows
        assert len(left.orphans) == BATCH_FILES
    else:  # the copies of the batch under way
        assert (left.temp_files, left.orphans) == ((at - 1) % BATCH_FILES, [])
    assert_whole(case, FOLDER_FILES + MEMBERS)
    [entry] = [e for e in case.custody() if e["action"] == "ingest-unchanged"]
    assert entry["detail"] == {"files": done}


def test_batches_log_custody_in_the_order_of_the_walk(case: CaseStore, inbox: Path) -> None:
    report = ingest_paths(case, [inbox / "calls"])
    assert report.new_calls == FOLDER_FILES
    files = [e["detail"]["file"] for e in case.custody() if e["action"] == "ingest"]
    assert files == [f"day{n // 100}/{n:04d}.wav" for n in range(FOLDER_FILES)]
    assert_whole(case, FOLDER_FILES)


def test_only_files_that_changed_since_are_read_again(case: CaseStore, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for number in range(3):
        (inbox / f"{number}.wav").write_bytes(wav_bytes(number))
    ingest_paths(case, [inbox])
    os.utime(inbox / "1.wav", ns=(10**18, 10**18))  # the same bytes, touched
    (inbox / "2.wav").write_bytes(wav_bytes(99))  # new bytes under the old name

    again = ingest_paths(case, [inbox])

    assert (again.unchanged, again.already_known, again.new_calls) == (1, 2, 1)
    actions = [(e["action"], (e["detail"] or {}).get("file")) for e in case.custody()][3:]
    assert actions == [("ingest-again", "1.wav"), ("ingest", "2.wav"), ("ingest-unchanged", None)]
    assert ingest_paths(case, [inbox]).unchanged == 3
    assert ingest_paths(case, [inbox], rehash=True).unchanged == 0


def test_a_rewritten_archive_is_read_again(case: CaseStore, inbox: Path, tmp_path: Path) -> None:
    archive = tmp_path / "calls.zip"
    archive.write_bytes((inbox / "calls.zip").read_bytes())
    assert ingest_paths(case, [archive]).new_calls == MEMBERS
    assert ingest_paths(case, [archive]).unchanged == MEMBERS
    with zipfile.ZipFile(archive, "a") as more:
        more.writestr("late.wav", wav_bytes(10_000))
    report = ingest_paths(case, [archive])
    assert (report.unchanged, report.already_known, report.new_calls) == (0, MEMBERS, 1)


def test_two_members_of_one_name_are_both_taken(case: CaseStore, tmp_path: Path) -> None:
    """Seen by name alone, the second would pass for the first once a batch is recorded."""
    archive = tmp_path / "twice.zip"
    with zipfile.ZipFile(archive, "w") as twice, pytest.warns(UserWarning, match="Duplicate"):
        twice.writestr("a.wav", wav_bytes(1))
        twice.writestr("a.wav", wav_bytes(2))
    assert ingest_paths(case, [archive]).new_calls == 2
    assert ingest_paths(case, [archive]).new_calls == 0


def test_a_file_of_zeros_is_a_recording_not_an_empty_archive(tmp_path: Path) -> None:
    """``tarfile`` takes 512 zero bytes for an empty TAR: a wiped recording vanished."""
    (tmp_path / "wiped.wav").write_bytes(bytes(4096))
    [source] = iter_sources([tmp_path / "wiped.wav"])
    assert isinstance(source, SourceFile) and source.size == 4096


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
@pytest.mark.parametrize("form", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_every_tar_is_found_by_its_content(tmp_path: Path, mode: str, form: int) -> None:
    path = tmp_path / "calls.wav"  # an archive named as a recording
    with tarfile.open(path, mode, format=form) as archive:
        info = tarfile.TarInfo("Буча/дзвінок.wav")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"RIFF"))
    assert archive_kind(path) == "tar"
    (tmp_path / "noise.wav").write_bytes(wav_bytes(1))
    assert archive_kind(tmp_path / "noise.wav") is None


def test_cli_reports_files_per_second_and_what_it_passed_over(tmp_path: Path) -> None:
    for number in range(5):
        (tmp_path / "in" / f"{number}.wav").parent.mkdir(exist_ok=True)
        (tmp_path / "in" / f"{number}.wav").write_bytes(wav_bytes(number))
    case = str(tmp_path / "case")
    first = run("ingest", str(tmp_path / "in"), "--case", case, "--json")
    assert (first["new_calls"], first["files"], first["unchanged"]) == (5, 5, 0)
    assert first["files_per_s"] > 0
    second = run("ingest", str(tmp_path / "in"), "--case", case, "--json")
    assert (second["new_calls"], second["already_known"], second["unchanged"]) == (0, 5, 5)
    third = run("ingest", str(tmp_path / "in"), "--case", case, "--rehash", "--json")
    assert (third["already_known"], third["unchanged"]) == (5, 0)
