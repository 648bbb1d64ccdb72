"""``callsift check``: findings (JSON and table), originals and the custody chain."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import asdict
from pathlib import Path

from callsift.cli import app
from callsift.store import CaseStore, list_calls, sha256_file
from callsift.store.custody import HEADS_FILE
from callsift.store.findings import list_findings

from .conftest import run, runner

KEYS = {"call_id", "file", "kind", "severity", "message", "other_call_id", "score", "detail"}


def test_check_json_is_what_the_case_now_holds(case: Path) -> None:
    result = runner.invoke(app, ["check", "--case", str(case), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert findings and all(set(finding) == KEYS for finding in findings)
    with CaseStore(case) as store:
        files = {call.id: call.file for call in list_calls(store)}
        stored = [{"file": files[f.call_id], **asdict(f)} for f in list_findings(store)]
    key = lambda f: (f["call_id"], f["kind"], f["message"])  # noqa: E731
    assert sorted(findings, key=key) == sorted(stored, key=key)
    assert {(f["file"], f["kind"]) for f in findings} >= {
        ("call_008.m4a", "date-mismatch"),
        ("call_012.ogg", "metadata-invalid"),
        ("call_003.wav", "duplicate-file"),
        ("call_026.flac", "edited-audio"),
    }


def test_check_table_and_a_missing_case(case: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--case", str(case)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with CaseStore(case) as store:
        count = len(list_findings(store))
    assert f"{count} findings" in result.stdout and "date-mismatch" in result.stdout
    missing = runner.invoke(app, ["check", "--case", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no such case folder" in missing.stderr


def test_check_originals_names_every_changed_or_missing_original(
    demo_case: Path, tmp_path: Path
) -> None:
    root = tmp_path / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as store:
        calls = {call.id: call for call in list_calls(store)}
    intact = run("check", "--originals", "--case", str(root), "--json")
    assert intact["originals"]["checked"] == len(calls) and intact["originals"]["problems"] == []
    assert intact["custody"]["problems"] == []
    changed, missing = (root / "originals" / calls[n].sha256[:2] / calls[n].sha256 for n in (4, 9))
    changed.chmod(0o644)
    data = changed.read_bytes()
    changed.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    missing.unlink()
    found = run("check", "--originals", "--case", str(root), "--json", code=1)
    problems = {p["call_id"]: p for p in json.loads(found.stdout)["originals"]["problems"]}
    assert set(problems) == {4, 9}
    assert problems[4]["expected"] == calls[4].sha256 and problems[4]["found"] == sha256_file(
        changed
    )
    assert problems[9]["found"] is None and "is missing" in problems[9]["message"]
    table = run("check", "--originals", "--case", str(root), code=1)
    assert "CHANGED" in table.stdout and "MISSING" in table.stdout
    assert f"{len(calls) - 2} of {len(calls)} originals" in table.stdout
    assert "custody: entry " in table.stderr  # the check is logged; its head is printed


def test_check_reports_a_break_in_the_custody_chain(demo_case: Path, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(demo_case, root)
    first = run("check", "--case", str(root))
    head = first.stderr.strip().splitlines()[-1]
    assert head.startswith("custody: entry ")
    assert (root / HEADS_FILE).read_text().split("\t")[-1].strip() == head.split()[-1]
    with sqlite3.connect(root / "case.db") as conn:  # drop the trigger, edit, recreate
        (trigger,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'custody_no_update'"
        ).fetchone()
        conn.execute("DROP TRIGGER custody_no_update")
        conn.execute("UPDATE custody SET actor = 'someone else' WHERE id = 2")
        conn.execute(trigger)
    broken = run("check", "--case", str(root), "--json", code=1)
    assert "custody entry 2: its content or links were changed" in broken.stderr
    assert json.loads(broken.stdout)  # the findings are still printed
