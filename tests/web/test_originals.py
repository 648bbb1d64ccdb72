"""Playing a call re-checks its original: a changed, swapped or deleted one is not played."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from callsift.store import CaseStore, get_call, sha256_file

from .conftest import signed_in

CALL = 6


def test_a_tampered_original_is_refused_and_a_restored_one_plays(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    with CaseStore(cases["alpha"]) as store:
        call = get_call(store, CALL)
        assert call is not None
        path = store.originals.path(call.sha256)
    good = path.read_bytes()
    url = f"/cases/alpha/calls/{CALL}/audio"
    with signed_in(app, "viewer") as viewer:
        assert viewer.get(url).status_code == 200  # verified, and remembered
        try:
            path.chmod(0o644)
            path.write_bytes(good[:500] + bytes([good[500] ^ 1]) + good[501:])
            for headers in ({}, {"Range": "bytes=1000-"}):  # a play, and the rest of one
                refused = viewer.get(url, headers={"Accept": "application/json", **headers})
                assert refused.status_code == 500
                message = refused.json()["error"]
                assert f"call {CALL} ({call.file}) is not played" in message
                assert call.sha256 in message and sha256_file(path) in message
            path.unlink()
            gone = viewer.get(url, headers={"Accept": "application/json"})
            assert gone.status_code == 500 and "it is missing" in gone.json()["error"]
        finally:
            _restore(path, good)
        assert viewer.get(url).status_code == 200


def _restore(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)
