"""Twenty reviewers at once on a real server: no note is lost, no edit silently wins.

Each client has its own session and thread; all start together at a
barrier. They add notes to the same three calls and correct the same segment
round after round, each sending the version it last read. SQLite serialises
the writes (WAL, ``BEGIN IMMEDIATE``, a busy timeout); the version check makes
every edit made against a version someone else already replaced a 409.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from callsift.store import CaseStore, segments_of
from callsift.store.review import annotations_of, segment_versions_of

from .conftest import PASSWORD

CLIENTS = 20
NOTES = 5
ROUNDS = 4
CALLS = (7, 8, 9)


def _session(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    answer = client.post("/api/login", json={"username": "reviewer", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    # The cookie is Secure; over plain loopback HTTP httpx would not send it back.
    token = answer.cookies["callsift_session"]
    client.headers.update(
        {"Cookie": f"callsift_session={token}", "X-CSRF-Token": answer.json()["csrf_token"]}
    )
    client.cookies.clear()
    return client


def test_twenty_reviewers_lose_no_note_and_get_clear_conflicts(
    live_server: str, cases: dict[str, Any]
) -> None:
    with CaseStore(cases["alpha"]) as store:
        segment = segments_of(store, 8)[0]
    clients = [_session(live_server) for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)
    outcomes: list[tuple[int, int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(index: int, client: httpx.Client) -> None:
        try:
            start.wait()
            for n in range(NOTES):
                call = CALLS[(index + n) % len(CALLS)]
                answer = client.post(
                    f"/api/calls/{call}/annotations",
                    params={"case": "alpha"},
                    json={"text": f"reviewer {index} note {n}"},
                )
                assert answer.status_code == 201, answer.text
            for round_ in range(ROUNDS):
                document = client.get("/api/calls/8", params={"case": "alpha"}).json()
                seen = next(s for s in document["segments"] if s["id"] == segment.id)["version"]
                answer = client.post(
                    f"/api/calls/8/segments/{segment.id}",
                    params={"case": "alpha"},
                    json={"text": f"Версия {index}.{round_}", "version": seen},
                )
                with lock:
                    outcomes.append((answer.status_code, seen, answer.text))
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for client in clients:
        client.close()
    assert not errors, errors[0]
    with CaseStore(cases["alpha"]) as store:
        notes = {a.text for call in CALLS for a in annotations_of(store, call)}
        versions = segment_versions_of(store, 8)[segment.id or 0]
        final = segments_of(store, 8)[0]
    assert {f"reviewer {i} note {n}" for i in range(CLIENTS) for n in range(NOTES)} <= notes
    statuses = [status for status, _, _ in outcomes]
    assert len(outcomes) == CLIENTS * ROUNDS and set(statuses) <= {200, 409}
    wins = [text for status, _, text in outcomes if status == 200]
    conflicts = [(seen, text) for status, seen, text in outcomes if status == 409]
    assert wins and conflicts  # twenty clients on one segment do collide
    for seen, text in conflicts:
        assert f"changed since version {seen}" in text and "reload it" in text
    # Every accepted edit is one version, in order, none overwritten unseen.
    assert [v.version for v in versions] == list(range(1, len(wins) + 2))
    assert final.version == len(wins) + 1 and final.text == versions[-1].text
