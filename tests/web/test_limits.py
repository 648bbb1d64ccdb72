"""Denial of service: stored values that break pages, huge numbers, huge queries, slow clients.

The slow-client tests run the app on a real server (as ``callsift serve``
does) with short time-outs and talk to it over raw sockets, each bounded in
time: a header dripped a line at a time, a body that never arrives, an idle
connection, more connections than one address may hold, a body larger
than allowed.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from fastapi import FastAPI

from callsift.store import CaseStore, segments_of
from callsift.web.serving import ServerLimits

from .conftest import running, signed_in

BIG = 2**70
SQLITE_MAX = 2**63 - 1


def test_a_moment_that_is_not_a_finite_time_is_refused(app: FastAPI) -> None:
    with signed_in(app, "analyst") as analyst:
        for start in ("inf", "-inf", "nan", "1e309", "-1", "1e7"):
            form = analyst.post(
                "/cases/alpha/calls/6/annotations", data={"text": "odd moment", "start": start}
            )
            assert form.status_code == 422, (start, form.text)
        for raw in ("1e309", "-1e309", "NaN", "Infinity"):
            api = analyst.post(
                "/api/calls/6/annotations",
                params={"case": "alpha"},
                content=f'{{"text": "odd moment", "start": {raw}}}',
                headers={"content-type": "application/json"},
            )
            assert api.status_code == 422, (raw, api.text)
        channel = analyst.post(
            "/api/calls/6/annotations",
            params={"case": "alpha"},
            json={"text": "odd party", "channel": BIG},
        )
        assert channel.status_code == 422
        assert analyst.get("/cases/alpha/calls/6").status_code == 200
    with CaseStore(app.state.cases["alpha"].path) as store:
        stored = store.conn.execute(
            "SELECT count(*) FROM annotations WHERE text IN ('odd moment', 'odd party')"
        ).fetchone()[0]
    assert stored == 0


def test_a_stored_infinite_moment_does_not_break_the_call_page(app: FastAPI) -> None:
    """A row written before the check (or by another tool) is shown without its moment."""
    with CaseStore(app.state.cases["alpha"].path) as store, store.transaction():
        store.conn.execute(
            "INSERT INTO annotations (call_id, channel, start, author, text, created_at)"
            " VALUES (6, 0, ?, 'analyst', 'legacy note', '2026-01-01T00:00:00Z')",
            (float("inf"),),
        )
    with signed_in(app, "viewer") as viewer:
        page = viewer.get("/cases/alpha/calls/6")
        assert page.status_code == 200 and "legacy note" in page.text
        assert viewer.get("/api/calls/6", params={"case": "alpha"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/api/calls/{SQLITE_MAX + 1}",
        f"/api/calls/{BIG}",
        f"/cases/alpha/calls/{BIG}",
        f"/cases/alpha/calls/{BIG}/audio",
        "/cases/alpha/calls/-1",
    ],
)
def test_an_id_out_of_range_is_not_found_or_invalid(app: FastAPI, path: str) -> None:
    with signed_in(app, "viewer") as viewer:
        answer = viewer.get(path, params={"case": "alpha"})
    assert answer.status_code in (404, 422), answer.text


def test_numbers_out_of_range_in_changes_are_refused(app: FastAPI) -> None:
    with CaseStore(app.state.cases["alpha"].path) as store:
        segment = segments_of(store, 6)[0]
    with signed_in(app, "reviewer") as reviewer:
        api = {"case": "alpha"}
        answers = [
            reviewer.post(
                f"/api/calls/6/segments/{BIG}", params=api, json={"text": "x", "version": 1}
            ),
            reviewer.post(
                f"/api/calls/6/segments/{segment.id}",
                params=api,
                json={"text": "x", "version": BIG},
            ),
            reviewer.post(
                "/api/calls/6/verification",
                params=api,
                json={"status": "corroborated", "version": 0, "links": [BIG]},
            ),
            reviewer.post(
                f"/cases/alpha/calls/6/segments/{BIG}", data={"text": "x", "version": "1"}
            ),
            reviewer.post(
                "/cases/alpha/calls/6/verification",
                data={"status": "corroborated", "version": "0", "links": str(BIG)},
            ),
        ]
    for answer in answers:
        assert answer.status_code in (400, 404, 422), answer.text


def test_a_query_of_thousands_of_terms_is_refused_at_once(app: FastAPI) -> None:
    prefixes = " ".join(f"{chr(0x430 + i % 32)}{i}*" for i in range(5_000))[:15_000]
    many_words = " ".join(f"слово{i}" for i in range(40))
    with signed_in(app, "viewer") as viewer:
        for query, why in ((prefixes, "characters"), (many_words, "words")):
            started = time.monotonic()
            api = viewer.get("/api/search", params={"case": "alpha", "q": query})
            page = viewer.get("/cases/alpha/search", params={"q": query})
            assert time.monotonic() - started < 5
            assert api.status_code == 400 and why in api.json()["error"]
            assert page.status_code == 400 and why in page.text
        assert viewer.get("/api/search", params={"case": "alpha", "q": "Буча"}).status_code == 200


# -- a real server, raw sockets ----------------------------------------------------------

LIMITS = ServerLimits(
    header_timeout_s=1.0,
    body_timeout_s=1.0,
    keep_alive_s=1.0,
    max_body_bytes=64 * 1024,
    max_connections=64,
    max_per_address=8,
)


@pytest.fixture(scope="module")
def strict_server(app: FastAPI) -> Any:
    with running(app, LIMITS) as base:
        yield int(base.rsplit(":", 1)[1])


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Whether the server closed ``sock`` within ``seconds``, and what it sent before."""
    sock.settimeout(0.2)
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return True, received
        if not chunk:
            return True, received
        received += chunk
    return False, received


def test_a_body_larger_than_allowed_is_refused_before_it_is_read(strict_server: int) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(
            b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200000000\r\n\r\n{"
        )
        closed, answer = _closed_within(sock, 3)
    assert answer.startswith(b"HTTP/1.1 413") and closed
    with _connect(strict_server) as sock:  # no length given: cut off once past the limit
        sock.sendall(
            b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 16384
        for _ in range(6):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        closed, answer = _closed_within(sock, 3)
    assert answer.startswith(b"HTTP/1.1 413") and closed


def test_headers_dripped_a_line_at_a_time_are_cut_off(strict_server: int) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(b"GET /login HTTP/1.1\r\n")
        started, closed = time.monotonic(), False
        for n in range(20):  # would take 6 s
            try:
                sock.sendall(b"X-Drip-%d: 1\r\n" % n)
            except OSError:
                closed = True
                break
            closed, _ = _closed_within(sock, 0.3)
            if closed:
                break
    assert closed and time.monotonic() - started < 3


def test_a_body_that_never_arrives_times_out(strict_server: int) -> None:
    with _connect(strict_server) as sock:
        sock.sendall(
            b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"username"'
        )
        started = time.monotonic()
        closed, answer = _closed_within(sock, 4)
    assert answer.startswith(b"HTTP/1.1 408") and closed and time.monotonic() - started < 3


def test_an_idle_connection_is_closed(strict_server: int) -> None:
    with _connect(strict_server) as sock:
        closed, answer = _closed_within(sock, 3)
    assert closed and answer == b""
    with _connect(strict_server) as sock:  # after an answer, kept alive only briefly
        sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        closed, answer = _closed_within(sock, 3)
    assert answer.startswith(b"HTTP/1.1 200") and closed


def test_one_address_cannot_hold_every_connection(strict_server: int) -> None:
    held = [_connect(strict_server, "127.0.0.3") for _ in range(LIMITS.max_per_address + 4)]
    try:
        time.sleep(0.2)
        refused = [sock for sock in held if _closed_within(sock, 0.3)[0]]
        assert len(refused) >= 4
        with _connect(strict_server, "127.0.0.1") as other:  # another address is served
            other.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            _, answer = _closed_within(other, 3)
        assert answer.startswith(b"HTTP/1.1 200")
        assert b"\r\nserver:" not in answer.lower()  # nothing says which server runs
    finally:
        for sock in held:
            sock.close()
