"""``callsift verify set|list|history``: the documented JSON and the exit codes of refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsift.store import CaseStore, list_calls

from .conftest import run

RECORD = {"call_id", "status", "reviewer", "note", "updated_at", "version", "links", "history"}


def test_set_list_history_round_trip(case: str) -> None:
    first = run(
        "verify", "set", "3", "--status", "corroborated", "--link", "9", "--link", "12",
        "--note", "same unit, same day", "--reviewer", "ana", "--case", case, "--json",
    )  # fmt: skip
    assert set(first) == RECORD
    assert (first["status"], first["reviewer"], first["version"]) == ("corroborated", "ana", 1)
    assert [link["call_id"] for link in first["links"]] == [9, 12]
    second = run(
        "verify", "set", "3", "--status", "disputed", "--note", "the voice differs",
        "--reviewer", "ben", "--expect-version", "1", "--case", case, "--json",
    )  # fmt: skip
    assert (second["status"], second["version"]) == ("disputed", 2)

    listed = run("verify", "list", "--case", case, "--json")
    with CaseStore(Path(case)) as store:
        files = {call.id: call.file for call in list_calls(store)}
    assert [(r["call_id"], r["file"]) for r in listed] == sorted(files.items())
    assert all(set(r) == RECORD - {"history"} | {"file"} for r in listed)
    assert {r["call_id"]: r["status"] for r in listed if r["status"] != "unverified"} == {
        3: "disputed"
    }
    only = run("verify", "list", "--status", "disputed", "--case", case, "--json")
    assert [(r["call_id"], r["reviewer"], r["note"]) for r in only] == [
        (3, "ben", "the voice differs")
    ]

    history = run("verify", "history", "3", "--case", case, "--json")
    assert [(e["version"], e["status"], e["reviewer"], e["links"]) for e in history["history"]] == [
        (1, "corroborated", "ana", [9, 12]),
        (2, "disputed", "ben", []),
    ]
    with CaseStore(Path(case)) as store:
        logged = [e["detail"] for e in store.custody() if e["action"] == "verify"]
    assert [(d["call_id"], d["status"], d["reviewer"], d["version"]) for d in logged] == [
        (3, "corroborated", "ana", 1),
        (3, "disputed", "ben", 2),
    ]
    table = run("verify", "history", "3", "--case", case)
    assert "disputed" in table.stdout and "corroborated by calls 9, 12" in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["set", "5", "--status", "verified"], 1, "needs a note"),
        (["set", "5", "--status", "corroborated", "--note", "x"], 1, "needs a link"),
        (["set", "5", "--status", "corroborated", "--link", "5"], 1, "cannot corroborate itself"),
        (["set", "5", "--status", "corroborated", "--link", "999"], 1, "no such call"),
        (["set", "999", "--status", "unverified"], 1, "no call 999"),
        (["set", "5", "--status", "maybe"], 2, "maybe"),
        (["history", "999"], 1, "no call 999"),
    ],
)
def test_refusals_exit_non_zero_and_say_why(
    case: str, args: list[str], code: int, says: str
) -> None:
    result = run("verify", *args, "--case", case, code=code)
    assert says in result.stderr
    assert run("verify", "history", "5", "--case", case, "--json")["version"] == 0


def test_a_stale_version_is_a_conflict(case: str) -> None:
    run("verify", "set", "7", "--status", "verified", "--note", "roster", "--case", case)
    stale = run(
        "verify", "set", "7", "--status", "rejected", "--note", "staged",
        "--expect-version", "0", "--case", case, code=1,
    )  # fmt: skip
    assert "changed since version 0 (now version 1)" in stale.stderr
    assert run("verify", "history", "7", "--case", case, "--json")["status"] == "verified"
