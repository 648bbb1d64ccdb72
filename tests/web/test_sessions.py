"""Sign-in under attack, and sessions that end: lockout, guessing, floods, time-outs.

Passwords are checked for real (argon2id); a spy around the check counts how
many run, and how many at once. Each test gets its own app, so its throttle
starts empty, and sends from its own addresses.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from callsift.cli import app as cli
from callsift.store.team import TeamStore
from callsift.web import signin
from callsift.web.app import WebSettings, create_app
from callsift.web.throttle import SignInThrottle

from .conftest import PASSWORD, signed_in


@pytest.fixture
def fresh(cases: dict[str, Any]) -> Callable[..., FastAPI]:
    def make(**settings: Any) -> FastAPI:
        return create_app(
            WebSettings(
                (cases["alpha"], cases["bravo"]),
                cases["team"],
                allowed_hosts=("testserver",),
                **settings,
            )
        )

    return make


class Checks:
    """How many password checks ran, and the most at once."""

    def __init__(self) -> None:
        self.count = self.running = self.most = 0
        self.lock = threading.Lock()


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Checks]:
    seen = Checks()
    real = signin.check_password

    def counted(*args: Any) -> Any:
        with seen.lock:
            seen.count += 1
            seen.running += 1
            seen.most = max(seen.most, seen.running)
        try:
            return real(*args)
        finally:
            with seen.lock:
                seen.running -= 1

    monkeypatch.setattr(signin, "check_password", counted)
    yield seen


def _at_once(count: int, attempt: Callable[[int], int]) -> list[int]:
    """``attempt(i)`` from ``count`` threads released together; their statuses."""
    start = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def run(index: int) -> None:
        start.wait()
        statuses[index] = attempt(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


def _login(app: FastAPI, name: str, password: str, address: str) -> int:
    with signed_in(app, None, address) as client:
        answer = client.post("/api/login", json={"username": name, "password": password})
        assert PASSWORD not in answer.text and password not in answer.text
        return answer.status_code


def test_thirty_wrong_passwords_at_once_get_five_checks(
    fresh: Callable[..., FastAPI], checks: Checks
) -> None:
    app = fresh()
    statuses = _at_once(30, lambda i: _login(app, "analyst", f"guess number {i}", "10.9.0.1"))
    assert checks.count == 5
    assert sorted(set(statuses)) == [401, 429] and statuses.count(401) == 5


def test_a_locked_name_still_signs_in_from_an_address_that_has_not_failed(
    fresh: Callable[..., FastAPI],
) -> None:
    app = fresh()
    for _ in range(5):
        assert _login(app, "analyst", "not the password", "10.9.1.1") == 401
    assert _login(app, "analyst", PASSWORD, "10.9.1.1") == 429  # the guesser is stopped
    assert _login(app, "analyst", PASSWORD, "10.9.1.2") == 200  # the user is not


def test_one_address_guessing_many_names_is_stopped(fresh: Callable[..., FastAPI]) -> None:
    app = fresh()
    for n in range(app.state.sign_ins.per_address):
        assert _login(app, f"name{n}", "not the password", "10.9.2.1") == 401
    assert _login(app, "viewer", PASSWORD, "10.9.2.1") == 429
    assert _login(app, "viewer", PASSWORD, "10.9.2.2") == 200


def test_the_failure_table_is_bounded() -> None:
    throttle = SignInThrottle(max_keys=100)
    for n in range(2_000):
        with throttle.attempt(f"name{n}", f"10.{n // 250}.{n % 250}.1"):
            pass  # a wrong password
    assert len(throttle) <= 100


def test_a_flood_of_sign_ins_checks_few_passwords_at_once(
    fresh: Callable[..., FastAPI], checks: Checks
) -> None:
    app = fresh()
    statuses = _at_once(30, lambda i: _login(app, f"nobody{i}", "a wrong password", f"10.9.3.{i}"))
    assert set(statuses) <= {401, 503} and statuses.count(401) >= 20
    assert 1 <= checks.most <= app.state.sign_ins.concurrent_checks


def test_too_long_a_name_or_password_is_refused_unechoed(fresh: Callable[..., FastAPI]) -> None:
    app = fresh()
    secret = "s3cret-" * 500
    with signed_in(app, None, "10.9.4.1") as client:
        answer = client.post("/api/login", json={"username": "viewer", "password": secret})
        assert answer.status_code == 422 and "s3cret" not in answer.text
        answer = client.post("/api/login", json={"username": "v" * 10_000, "password": "x"})
        assert answer.status_code == 422 and "vvvv" not in answer.text


def _age_sessions(team: Any, name: str, idle: timedelta) -> None:
    when = (datetime.now(UTC) - idle).isoformat()
    with sqlite3.connect(team) as conn:
        conn.execute("UPDATE sessions SET seen_at = ? WHERE account = ?", (when, name))


def test_an_idle_session_ends_and_a_used_one_lives_on(
    fresh: Callable[..., FastAPI], cases: dict[str, Any]
) -> None:
    app = fresh(idle_minutes=30)
    with signed_in(app, "throwaway", "10.9.5.1") as client:
        _age_sessions(cases["team"], "throwaway", timedelta(minutes=20))
        assert client.get("/api/cases").status_code == 200  # used: the clock starts again
        _age_sessions(cases["team"], "throwaway", timedelta(minutes=31))
        assert client.get("/api/cases").status_code == 401


def test_signing_out_everywhere_ends_every_session(fresh: Callable[..., FastAPI]) -> None:
    app = fresh()
    with (
        signed_in(app, "throwaway", "10.9.6.1") as laptop,
        signed_in(app, "throwaway", "10.9.6.2") as phone,
        signed_in(app, "viewer", "10.9.6.3") as colleague,
    ):
        answer = laptop.post("/api/logout/everywhere")
        assert answer.status_code == 200 and answer.json()["sessions"] >= 2
        assert laptop.get("/api/cases").status_code == 401
        assert phone.get("/api/cases").status_code == 401
        assert colleague.get("/api/cases").status_code == 200
    with signed_in(app, "throwaway", "10.9.6.1") as browser:
        browser.headers["Origin"] = "https://testserver"
        form = browser.post("/logout/everywhere", data={})
        assert form.status_code == 303 and form.headers["location"] == "/login"
        assert browser.get("/api/cases").status_code == 401


def test_an_older_team_file_keeps_its_sessions(tmp_path: Any) -> None:
    team = tmp_path / "team.db"
    with TeamStore(team) as accounts:
        accounts.add_account("ana", "viewer", "hash")
        accounts.start_session("ana", "token", "csrf", timedelta(hours=1))
    with sqlite3.connect(team) as conn:  # as the file was before sessions had a last use
        conn.execute("ALTER TABLE sessions DROP COLUMN seen_at")
        conn.execute("PRAGMA user_version=1")
    with TeamStore(team) as accounts:
        session = accounts.session("token", timedelta(minutes=30))
        assert session is not None and session.account.name == "ana"
        assert accounts.conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_the_operator_signs_an_account_out_everywhere(
    fresh: Callable[..., FastAPI], cases: dict[str, Any]
) -> None:
    app = fresh()
    with signed_in(app, "throwaway", "10.9.7.1") as client:
        answer = CliRunner().invoke(
            cli, ["users", "sign-out", "throwaway", "--users", str(cases["team"])]
        )
        assert answer.exit_code == 0 and "ended" in answer.output
        assert client.get("/api/cases").status_code == 401
