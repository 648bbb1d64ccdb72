"""The verification workflow: a status is a claim with its grounds, and every change is kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from callsift.errors import ConflictError, ReviewError
from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore
from callsift.verify.status import set_status, verification_list, verification_of


@pytest.fixture
def review(tmp_path: Path, demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CaseStore]:
    """Three real demo calls ingested (ids 1-3); the OS user is "desk"."""
    monkeypatch.setenv("CALLSIFT_ACTOR", "desk")
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [demo_dir / f"call_00{n}.wav" for n in (1, 2, 3)])
        yield store


def _verify_log(store: CaseStore) -> list[dict]:
    return [entry for entry in store.custody() if entry["action"] == "verify"]


def test_a_call_never_reviewed_is_unverified_at_version_0(review: CaseStore) -> None:
    record = verification_of(review, 2)
    assert (record.status, record.reviewer, record.version, record.history) == (
        "unverified",
        None,
        0,
        (),
    )
    assert [r.status for r in verification_list(review)] == ["unverified"] * 3


@pytest.mark.parametrize("status", ["verified", "disputed", "rejected"])
def test_a_verdict_needs_a_note(review: CaseStore, status: str) -> None:
    with pytest.raises(ReviewError, match="needs a note"):
        set_status(review, 1, status, "ana", note="   ")
    assert verification_of(review, 1).version == 0
    assert _verify_log(review) == []  # a refused change leaves no trace but the error
    record = set_status(review, 1, status, "ana", note="matches the unit's roster")
    assert (record.status, record.note, record.version) == (status, "matches the unit's roster", 1)


def test_corroborated_needs_a_link_given_now_or_before(review: CaseStore) -> None:
    with pytest.raises(ReviewError, match="needs a link"):
        set_status(review, 1, "corroborated", "ana")
    record = set_status(review, 1, "corroborated", "ana", links=[2, 3, 2])
    assert [link.call_id for link in record.links] == [2, 3]
    assert {(link.relation, link.reviewer) for link in record.links} == {("corroborates", "ana")}
    set_status(review, 1, "disputed", "ben", note="voice differs")
    # Links are only ever added: corroborated again stands on the earlier links.
    again = set_status(review, 1, "corroborated", "ana", note="voice checked again")
    assert (again.status, [link.call_id for link in again.links]) == ("corroborated", [2, 3])
    assert again.history[-1].links == ()


def test_links_must_name_another_call_of_the_case(review: CaseStore) -> None:
    with pytest.raises(ReviewError, match="cannot corroborate itself"):
        set_status(review, 1, "corroborated", "ana", links=[1])
    with pytest.raises(ReviewError, match="no such call"):
        set_status(review, 1, "corroborated", "ana", links=[2, 99])
    record = verification_of(review, 1)
    assert (record.version, record.links) == (0, ())  # nothing of the refused change landed


def test_unknown_status_or_call_is_refused(review: CaseStore) -> None:
    with pytest.raises(ReviewError, match="unknown status 'true'"):
        set_status(review, 1, "true", "ana", note="x")
    with pytest.raises(ReviewError, match="no call 99"):
        set_status(review, 99, "verified", "ana", note="x")
    with pytest.raises(ReviewError, match="no call 99"):
        verification_of(review, 99)
    with pytest.raises(ReviewError, match="unknown status"):
        verification_list(review, "maybe")


def test_a_change_on_a_stale_version_is_refused(review: CaseStore) -> None:
    seen_by_ana = verification_of(review, 3).version
    seen_by_ben = verification_of(review, 3).version
    set_status(review, 3, "verified", "ana", note="two sources", expected_version=seen_by_ana)
    with pytest.raises(ConflictError) as refused:
        set_status(review, 3, "rejected", "ben", note="fake", expected_version=seen_by_ben)
    assert (refused.value.call_id, refused.value.expected, refused.value.current) == (3, 0, 1)
    record = verification_of(review, 3)
    assert (record.status, record.reviewer, record.version) == ("verified", "ana", 1)
    assert len(_verify_log(review)) == 1
    # Ben reloads and decides again, on the version he now sees.
    record = set_status(review, 3, "rejected", "ben", note="fake", expected_version=1)
    assert (record.status, record.version) == ("rejected", 2)


def test_history_keeps_every_change_oldest_first_and_is_append_only(review: CaseStore) -> None:
    changes = [
        ("corroborated", "ana", "same unit, same day", [2]),
        ("verified", "ben", "roster and cell data agree", []),
        ("unverified", "ana", "", []),  # a verdict withdrawn: the history keeps it
        ("disputed", "cem", "the date is doubtful", []),
    ]
    for status, reviewer, note, links in changes:
        set_status(review, 1, status, reviewer, note=note, links=links)
    record = verification_of(review, 1)
    assert [(e.version, e.status, e.reviewer, e.note, list(e.links)) for e in record.history] == [
        (n, *change) for n, change in enumerate(changes, start=1)
    ]
    assert (record.status, record.reviewer, record.version) == ("disputed", "cem", len(changes))
    times = [datetime.fromisoformat(event.at) for event in record.history]
    assert times == sorted(times) and all(t.utcoffset() is not None for t in times)
    assert record.updated_at == record.history[-1].at
    for sql in ("UPDATE verification_history SET note = 'x'", "DELETE FROM verification_history"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            review.conn.execute(sql)
    assert verification_of(review, 1).history == record.history


def test_every_change_lands_in_the_custody_log_with_who_and_when(review: CaseStore) -> None:
    set_status(review, 2, "corroborated", "ana", note="same voice", links=[1])
    set_status(review, 2, "verified", None, note="checked")  # the reviewer defaults to the user
    entries = _verify_log(review)
    sha256 = {entry["sha256"] for entry in review.custody() if entry["action"] == "ingest"}
    assert [entry["detail"] for entry in entries] == [
        {
            "call_id": 2,
            "status": "corroborated",
            "reviewer": "ana",
            "note": "same voice",
            "links": [1],
            "version": 1,
        },
        {
            "call_id": 2,
            "status": "verified",
            "reviewer": "desk",
            "note": "checked",
            "links": [],
            "version": 2,
        },
    ]
    assert all(entry["actor"] == "desk" for entry in entries)
    assert len({entry["sha256"] for entry in entries}) == 1 and entries[0]["sha256"] in sha256
    assert all(datetime.fromisoformat(e["at"]).utcoffset() == timedelta(0) for e in entries)


def test_list_filters_by_status(review: CaseStore) -> None:
    set_status(review, 1, "verified", "ana", note="ok")
    set_status(review, 3, "rejected", "ana", note="staged")
    assert [(r.call_id, r.status) for r in verification_list(review)] == [
        (1, "verified"),
        (2, "unverified"),
        (3, "rejected"),
    ]
    assert [r.call_id for r in verification_list(review, "unverified")] == [2]
    assert [r.call_id for r in verification_list(review, "rejected")] == [3]
    assert verification_list(review, "corroborated") == []
