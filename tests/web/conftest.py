"""Two demo cases served to a team with one account per role, and a hostile call.

Case ``alpha`` is the processed demo corpus with numbers normalised, a
directory of known numbers and a planted call whose file name, metadata,
transcript, translation, known name and annotation all carry script
payloads. Case ``bravo`` is another case, of two demo recordings, that only
``other`` is a member of. Names and numbers are invented, like the corpus.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callsift.analyze.run import analyze_case
from callsift.audio.wavfile import write_wav
from callsift.graph.phones import import_directories, number_case
from callsift.ingest.run import ingest_paths
from callsift.records import AudioInfo, ChannelTranscript, Segment, Word
from callsift.store import CaseStore, list_calls
from callsift.store.review import add_annotation
from callsift.store.team import TeamStore
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app
from callsift.web.serving import ServerLimits, server_config

from ..conftest import DEMO

PASSWORD = "a long test password"
ROLES = ("viewer", "analyst", "reviewer", "admin")
SCRIPT = '<script>alert("callsift")</script>'
IMG = '<img src=x onerror="alert(1)">'
HOSTILE_FILE = f"{IMG}.wav"
HOSTILE_TEXT = f"{SCRIPT} Нас обстреляли под Бучей."
HOSTILE_TRANSLATION = f"{IMG} We were shelled near Bucha."
HOSTILE_NOTE = f"{SCRIPT} note"
HOSTILE_NAME = f"{IMG} Кузнецов"
HOSTILE_NUMBER = "+7 903 555 99 01"


def _plant_hostile_call(store: CaseStore, folder: Path) -> int:
    """A recording under a script-bearing name, with script in every text it has."""
    folder.mkdir()
    tone = 0.1 * np.sin(2 * np.pi * 440 * np.arange(16000 * 7) / 16000).astype(np.float32)
    with open(folder / HOSTILE_FILE, "wb") as handle:
        write_wav(handle, [tone], 16000)
    (folder / "meta.csv").write_text(
        "file,caller,receiver,notes,location\n"
        f'"{HOSTILE_FILE.replace(chr(34), chr(34) * 2)}",{HOSTILE_NUMBER},+7 903 555 99 02,'
        f'"{HOSTILE_NOTE.replace(chr(34), chr(34) * 2)}",{SCRIPT}\n',
        encoding="utf-8",
    )
    ingest_paths(store, [folder])
    call = next(c for c in list_calls(store) if c.file == HOSTILE_FILE)
    words = [
        Word(0.5 + i * 0.4, 0.8 + i * 0.4, " " + w, 0.9) for i, w in enumerate(HOSTILE_TEXT.split())
    ]
    segment = Segment(0, 0.5, 6.0, HOSTILE_TEXT, "ru", words=words, translation=HOSTILE_TRANSLATION)
    store.save_transcript(
        call.id,
        AudioInfo(7.0, 16000, 1, "pcm_s16le", "wav"),
        [ChannelTranscript(0, "ru", 0.9, 5.0, [segment])],
        '{"test": "hostile"}',
    )
    add_annotation(store, call.id, "reviewer", HOSTILE_NOTE, 0, 1.0)
    return call.id


@pytest.fixture(scope="package")
def cases(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("web")
    alpha, bravo = root / "alpha", root / "bravo"
    shutil.copytree(demo_case, alpha)
    with CaseStore(bravo) as store:  # another case, of two recordings (not processed)
        ingest_paths(store, [DEMO / "call_001.wav", DEMO / "call_002.wav"])
    directory = root / "known.csv"
    directory.write_text(
        f'number,name,unit\n{HOSTILE_NUMBER},"{HOSTILE_NAME.replace(chr(34), chr(34) * 2)}",\n'
        "+7 903 555 17 08,Сидоров Иван,\n",
        encoding="utf-8",
    )
    with CaseStore(alpha) as store:
        hostile = _plant_hostile_call(store, root / "hostile")
        analyze_case(store)
        number_case(store)
        import_directories(store, [directory])
        alpha_uuid = store.uuid
    with CaseStore(bravo) as store:
        bravo_uuid = store.uuid
    team = root / "team.db"
    with TeamStore(team) as accounts:
        for role in ROLES:
            add_account(accounts, role, role, PASSWORD)
            accounts.grant(role, alpha_uuid, str(alpha))
        add_account(accounts, "outsider", "admin", PASSWORD)  # a member of no case
        add_account(accounts, "other", "admin", PASSWORD)  # a member of bravo only
        accounts.grant("other", bravo_uuid, str(bravo))
        add_account(accounts, "throwaway", "viewer", PASSWORD)
        accounts.grant("throwaway", alpha_uuid, str(alpha))
        add_account(accounts, "plain-matrix", "viewer", PASSWORD)  # revoked in test_access
        accounts.grant("plain-matrix", alpha_uuid, str(alpha))
    return {"alpha": alpha, "bravo": bravo, "team": team, "hostile": hostile, "root": root}


@pytest.fixture(scope="package")
def app(cases: dict[str, Any]) -> FastAPI:
    return create_app(
        WebSettings((cases["alpha"], cases["bravo"]), cases["team"], allowed_hosts=("testserver",))
    )


def signed_in(app: FastAPI, name: str | None, address: str = "testclient") -> TestClient:
    """A client signed in as ``name`` through ``POST /api/login`` (``None``: anonymous).

    Its default headers carry the session's CSRF token, as a browser page does.
    ``address`` is the client's address, which the sign-in throttle counts by.
    """
    client = TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=(address, 50000)
    )
    if name is not None:
        answer = client.post("/api/login", json={"username": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Signed in as the admin of case alpha."""
    with signed_in(app, "admin") as admin:
        yield admin


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(app: FastAPI, limits: ServerLimits | None = None) -> Iterator[str]:
    """The app on a real server (as ``callsift serve`` runs it) on a free loopback port."""
    port = free_port()
    config = server_config(
        app, "127.0.0.1", port, limits=limits or ServerLimits(), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="package")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app on a real server in a thread: its base URL."""
    with running(app) as base:
        yield base


# Browsers ------------------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As this machine's probe found: without the background-networking flags
# Chromium keeps trying hosts a closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
WIDTHS = (1440, 390)
"""A desk's screen and a phone's: every browser test runs at both."""


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, under Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
        pytest.skip("no Chromium here (apt-get install chromium); CI runs this test")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Browsing:
    """One browser tab of a signed-in user, at one screen width, that notices script errors.

    ``problems`` collects uncaught script errors and console errors (a
    failed request, something the Content Security Policy blocked).
    """

    def __init__(self, page: Any, width: int) -> None:
        self.page = page
        self.width = width
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type == "error" else None,
        )

    def shot(self, name: str) -> Path:
        """A full-page screenshot in ``test-artifacts/NAME-WIDTH.png``, for a person to look at."""
        path = ARTIFACTS / f"{name}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sideways(self) -> int:
        """How many pixels the page is wider than the window (0: no sideways scrolling)."""
        return int(
            self.page.evaluate(
                "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                " - window.innerWidth"
            )
        )


@pytest.fixture
def browsing(chromium: Any, live_server: str) -> Iterator[Callable[..., Browsing]]:
    """``browsing(width, user="admin")``: a new tab, signed in through the sign-in form."""
    contexts: list[Any] = []

    def open_tab(width: int, user: str | None = "admin", **options: Any) -> Browsing:
        height = 1000 if width >= 1000 else 844
        context = chromium.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            accept_downloads=True,
            **options,
        )
        contexts.append(context)
        tab = Browsing(context.new_page(), width)
        tab.page.set_default_timeout(20_000)
        if user is not None:
            tab.page.goto("/login")
            tab.page.fill("input[name=username]", user)
            tab.page.fill("input[name=password]", PASSWORD)
            tab.page.click("button[type=submit]")
            tab.page.wait_for_url(lambda url: "/login" not in url)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
