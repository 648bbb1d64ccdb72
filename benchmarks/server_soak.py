"""Soak: a real ``callsift serve`` on loopback, hammered by hostile clients, still answering.

Builds a demo-like case (demo recordings with their metadata sheet, each
given a planted Russian transcript and analysed: no speech model needed),
starts ``callsift serve`` on a free loopback port in a subprocess, signs a
reviewer in from 127.0.0.1, and then, all at once and for a bounded time:

- **sign-ins**: parallel wrong passwords for the reviewer's name and for
  made-up names, from several loopback addresses;
- **oversized bodies**: 200 MB declared by ``Content-Length``, and chunked
  bodies that grow past the limit;
- **slow clients**: idle connections, headers dripped a line a second,
  bodies that never arrive (from 127.0.0.2 and up);
- **hostile queries**: thousands of prefix terms, FTS syntax, huge numbers,
  ``inf`` and ``1e309`` as times.

Throughout, a probe asks for a call's document as the signed-in reviewer
every half second. Printed: requests by outcome, errors (5xx, dropped
connections), slow connections closed by the server and how soon, the
server's peak memory (``VmHWM`` of its process) and its memory at rest, and
the probe's slowest answer, which must be under 1 s.

Run: ``.venv/bin/python benchmarks/server_soak.py`` (about 2 minutes;
``--seconds`` for the attack's length). Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from callsift.analyze.run import analyze_case
from callsift.ingest.run import ingest_paths
from callsift.records import AudioInfo, ChannelTranscript, Segment
from callsift.store import CaseStore, list_calls
from callsift.store.team import TeamStore
from callsift.web.accounts import add_account

DEMO = Path(__file__).resolve().parent.parent / "demo" / "calls"
PASSWORD = "the soak's long password"
LINES = [
    "Мама, мы под Бучей, всё хорошо.",
    "Второй батальон почти весь погиб, приказали ждать.",
    "Запиши номер: восемь девятьсот три пятьсот пятьдесят пять.",
    "331-й полк отходит к Ирпеню, БТГ стоит в Гостомеле.",
]


class Tally:
    """Outcomes of every request, by kind, safe across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()

    def add(self, kind: str, outcome: str | int) -> None:
        with self.lock:
            self.counts[f"{kind} {outcome}"] += 1


def build_case(root: Path) -> tuple[Path, Path]:
    """A case of eight demo recordings with planted transcripts, and its team file."""
    case, team = root / "case", root / "team.db"
    files = sorted(DEMO.glob("call_00[1-8].*"))
    with CaseStore(case) as store:
        ingest_paths(store, [*files, DEMO / "metadata.csv"])
        for call in list_calls(store):
            segments = [
                Segment(0, 1.0 + 4 * i, 4.0 + 4 * i, text, "ru")
                for i, text in enumerate(random.Random(call.id).sample(LINES, 3))
            ]
            store.save_transcript(
                call.id,
                AudioInfo(14.0, 8000, 1, "pcm_s16le", "wav"),
                [ChannelTranscript(0, "ru", 0.9, 12.0, segments)],
                json.dumps({"soak": "planted"}),
            )
        analyze_case(store)
        uuid = store.uuid
    with TeamStore(team) as accounts:
        add_account(accounts, "reviewer", "reviewer", PASSWORD)
        accounts.grant("reviewer", uuid, str(case))
    return case, team


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (peak) of the process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def client(source: str, base: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=base, transport=transport, timeout=30)


def sign_in(base: str) -> httpx.Client:
    session = client("127.0.0.1", base)
    answer = session.post("/api/login", json={"username": "reviewer", "password": PASSWORD})
    answer.raise_for_status()
    token = answer.cookies["callsift_session"]  # Secure: httpx keeps it off plain HTTP
    session.headers.update(
        {"Cookie": f"callsift_session={token}", "X-CSRF-Token": answer.json()["csrf_token"]}
    )
    session.cookies.clear()
    return session


def repeat(until: float, work: Callable[[], None]) -> None:
    while time.monotonic() < until:
        work()


def sign_ins(base: str, until: float, tally: Tally, worker: int) -> None:
    with client(f"127.0.0.{20 + worker}", base) as http:
        n = 0

        def attempt() -> None:
            nonlocal n
            n += 1
            name = "reviewer" if n % 2 else f"nobody{worker}-{n}"
            try:
                answer = http.post("/api/login", json={"username": name, "password": f"guess {n}"})
                tally.add("sign-in", answer.status_code)
                if answer.status_code == 429:
                    time.sleep(0.5)
            except httpx.HTTPError as error:
                tally.add("sign-in", type(error).__name__)

        repeat(until, attempt)


def raw(port: int, source: str, head: bytes, body: bytes, wait: float) -> bytes:
    """Send a request, then read what comes back for up to ``wait`` seconds.

    The server may answer and close before the body is all sent: that is a refusal, not
    an error.
    """
    with socket.create_connection(("127.0.0.1", port), 10, (source, 0)) as sock:
        sock.sendall(head)
        try:
            sock.sendall(body)
        except OSError:
            pass
        sock.settimeout(wait)
        try:
            return sock.recv(200)
        except (TimeoutError, ConnectionError):
            return b""


def oversized(port: int, until: float, tally: Tally) -> None:
    start = b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    chunk = b"x" * 65536
    requests = {
        "declared": (start + b"Content-Length: 200000000\r\n\r\n", chunk),
        "chunked": (
            start + b"Transfer-Encoding: chunked\r\n\r\n",
            b"%x\r\n%s\r\n" % (len(chunk), chunk) * 20,
        ),
    }

    def send() -> None:
        for name, (head, body) in requests.items():
            try:
                answer = raw(port, "127.0.0.11", head, body, 5)
                tally.add(f"oversized {name}", answer[9:12].decode() or "closed")
            except OSError as error:
                tally.add(f"oversized {name}", type(error).__name__)

    repeat(until, send)


def slow_clients(port: int, until: float, tally: Tally, closed_after: list[float]) -> None:
    """Sockets that hold the server: idle, dripping headers, withholding their body."""
    kinds = ("idle", "drip", "no body")
    held: list[tuple[str, socket.socket, float]] = []
    for n in range(150):
        kind = kinds[n % 3]
        try:
            sock = socket.create_connection(("127.0.0.1", port), 5, (f"127.0.0.{2 + n % 8}", 0))
        except OSError as error:
            tally.add(f"slow {kind}", type(error).__name__)
            continue
        if kind == "no body":
            sock.sendall(
                b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                b"\r\nContent-Length: 1000\r\n\r\n{"
            )
        elif kind == "drip":
            sock.sendall(b"GET /login HTTP/1.1\r\n")
        sock.setblocking(False)
        held.append((kind, sock, time.monotonic()))
    line = 0
    while held and time.monotonic() < until:
        time.sleep(1)
        line += 1
        for entry in list(held):
            kind, sock, opened = entry
            try:
                if kind == "drip":
                    sock.send(b"X-Drip-%d: 1\r\n" % line)
                data = sock.recv(200)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            outcome = data[9:12].decode() if data.startswith(b"HTTP/") else "closed"
            tally.add(f"slow {kind}", outcome)
            closed_after.append(time.monotonic() - opened)
            sock.close()
            held.remove(entry)
    for kind, sock, _ in held:
        tally.add(f"slow {kind}", "STILL-OPEN")
        sock.close()


def hostile_queries(session: httpx.Client, until: float, tally: Tally) -> None:
    queries = [
        " ".join(f"b{i}*" for i in range(1_500)),  # 10 KB: reaches the app
        " ".join(f"b{i}*" for i in range(5_000)),  # 30 KB: past the header limit
        " ".join(f"слово{i}" for i in range(100)),
        '"Буча" NEAR/999999 "полк"',
        '* OR * OR -* OR "" OR NEAR(',
        "Буча' OR 1=1 --",
        "a" * 12_000,
    ]
    odd = [
        ("GET", f"/api/calls/{2**70}", None),
        ("GET", "/api/calls/9223372036854775808", None),
        ("POST", "/api/calls/1/annotations", '{"text": "x", "start": 1e309}'),
        ("POST", "/api/calls/1/annotations", '{"text": "x", "channel": 1180591620717411303424}'),
    ]

    def ask() -> None:
        for q in queries:
            try:
                answer = session.get("/api/search", params={"q": q})
                tally.add("hostile query", answer.status_code)
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                tally.add("hostile query", type(error).__name__)
        for method, path, body in odd:
            try:
                headers = {"content-type": "application/json"}
                answer = session.request(method, path, content=body, headers=headers)
                tally.add("hostile number", answer.status_code)
            except httpx.HTTPError as error:
                tally.add("hostile number", type(error).__name__)

    repeat(until, ask)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the attack lasts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="callsift-soak-") as folder:
        case, team = build_case(Path(folder))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(folder) / "server.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "callsift", "serve", "--case", str(case), "--users",
             str(team), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "CALLSIFT_ACTOR": "soak"},
        )  # fmt: skip
        try:
            run(server, port, base, args.seconds)
        finally:
            server.terminate()
            server.wait(20)
            log.close()


def run(server: subprocess.Popen[bytes], port: int, base: str, seconds: float) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    session = sign_in(base)
    session.get("/api/calls/1").raise_for_status()
    rest = memory(server.pid)["VmRSS"]
    tally, probes, closed_after = Tally(), [], []
    until = time.monotonic() + seconds
    work = [
        threading.Thread(target=sign_ins, args=(base, until, tally, w)) for w in range(30)
    ] + [
        threading.Thread(target=oversized, args=(port, until, tally)) for _ in range(4)
    ] + [
        threading.Thread(target=slow_clients, args=(port, until, tally, closed_after)),
        threading.Thread(target=hostile_queries, args=(sign_in(base), until, tally)),
    ]  # fmt: skip
    started = time.monotonic()
    for thread in work:
        thread.start()
    while time.monotonic() < until:
        begin = time.monotonic()
        try:
            status = session.get("/api/calls/1", timeout=10).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__  # type: ignore[assignment]
        probes.append((time.monotonic() - begin, status))
        time.sleep(max(0.0, 0.5 - (time.monotonic() - begin)))
    for thread in work:
        thread.join(60)
    elapsed = time.monotonic() - started
    peak = memory(server.pid)["VmHWM"]
    total = sum(tally.counts.values()) + len(probes)
    # A 5xx but "busy" (503), an exception's name (a dropped connection), a slow client left open.
    errors = sum(
        n
        for key, n in tally.counts.items()
        if key.split()[-1] in ("500", "502", "504") or key[-1].isupper()
    )
    print(f"attack: {elapsed:.0f} s against callsift serve on {base} (pid {server.pid})")
    print(f"requests and connections: {total}")
    for key, n in sorted(tally.counts.items()):
        print(f"  {key}: {n}")
    print(f"errors (500, dropped connections, slow clients left open): {errors}")
    if closed_after:
        print(
            f"slow connections closed by the server after {min(closed_after):.1f}-"
            f"{max(closed_after):.1f} s"
        )
    print(f"server memory: {rest / 1024:.0f} MiB at rest, peak {peak / 1024:.0f} MiB (VmHWM)")
    slowest = max(t for t, _ in probes)
    bad = [s for _, s in probes if s != 200]
    print(
        f"normal request (GET /api/calls/1, signed in) x{len(probes)}: slowest {slowest:.2f} s,"
        f" p50 {sorted(t for t, _ in probes)[len(probes) // 2]:.3f} s, not 200: {len(bad)}"
    )
    ok = slowest < 1.0 and not bad
    print("normal requests answered under 1 s throughout:", "yes" if ok else "NO")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
