"""``callsift check``: every finding as the documented JSON, and the table."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from callsift.cli import app
from callsift.store import CaseStore, list_calls
from callsift.store.findings import list_findings

from .conftest import runner

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
