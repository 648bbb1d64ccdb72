"""Running the app on uvicorn with limits that a hostile client cannot wear down.

A team server faces whoever can reach its port, and a slow client costs the
server as much as a fast one: a socket, a buffer, a task. So:

* **Headers** must arrive whole within ``header_timeout_s`` of the
  connection opening (or of the previous answer on a kept-alive connection):
  a client dripping a header line a second is cut off. uvicorn itself has
  no such limit, so :class:`GuardedH11` adds it to uvicorn's h11 protocol.
  A request line and headers of more than ``max_header_bytes`` are refused.
* **Bodies** are read before the app sees them, by :class:`BodyLimit`: one
  larger than ``max_body_bytes`` is answered 413 (at once when its
  ``Content-Length`` says so, else as soon as it grows past the limit), one
  that has not arrived whole within ``body_timeout_s`` 408. Nothing the app
  takes is larger than a long note, so the default is 1 MiB.
* **Idle** kept-alive connections close after ``keep_alive_s``. A new
  connection is closed at once beyond ``max_connections`` open ones, or
  beyond ``max_per_address`` from its address, so one host holding sockets
  open does not shut out the others.
* No ``Server`` header: nothing tells a visitor which server or version runs.

Proxy headers are not trusted: the app sees the address that connected,
which the sign-in throttle counts by (:mod:`callsift.web.throttle`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["BodyLimit", "GuardedH11", "ServerLimits", "server_config"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class ServerLimits:
    """How much of the server one client may hold, and for how long."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 15.0
    keep_alive_s: float = 5.0
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 1024 * 1024
    max_connections: int = 256
    max_per_address: int = 32


async def _refuse(send: Send, status: int, message: str) -> None:
    """A JSON error that closes the connection (the rest of the body is not read)."""
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: a request body is read whole, in time and within size, or refused.

    The body is then handed to the app as one message; later calls of
    ``receive`` (a disconnect) go to the server as before.
    """

    def __init__(self, app: Any, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = f"the request body is larger than {self.max_bytes // 1024} KiB"
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await _refuse(send, 413, limit)
            return
        body = bytearray()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                await _refuse(send, 408, "the request body did not arrive in time")
                return
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await _refuse(send, 413, limit)
                return
            if not message.get("more_body", False):
                break
        whole: list[Message] = [{"type": "http.request", "body": bytes(body), "more_body": False}]

        async def replay() -> Message:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)


def _host(connection: object) -> str | None:
    client = getattr(connection, "client", None)
    return str(client[0]) if client else None


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the headers, and caps on connections.

    The timer runs from the connection's opening, and again from each answer
    on a kept-alive connection, until the next request's headers are in;
    uvicorn's keep-alive timer closes an idle connection sooner.
    """

    header_timeout_s = ServerLimits.header_timeout_s
    max_connections = ServerLimits.max_connections
    max_per_address = ServerLimits.max_per_address
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else None
        mine = sum(1 for other in self.connections if _host(other) == host)
        if len(self.connections) > self.max_connections or mine > self.max_per_address:
            transport.close()
            return
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the headers are in: the body's time is BodyLimit's

    def on_response_complete(self) -> None:
        self._arm()  # before: the next pipelined request may start (and disarm) in there
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def server_config(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    limits: ServerLimits = ServerLimits(),
    certfile: Path | None = None,
    keyfile: Path | None = None,
    log_level: str = "info",
) -> uvicorn.Config:
    """The uvicorn configuration of ``callsift serve`` (and of the tests' real servers)."""
    protocol = type(
        "GuardedH11",
        (GuardedH11,),
        {
            "header_timeout_s": limits.header_timeout_s,
            "max_connections": limits.max_connections,
            "max_per_address": limits.max_per_address,
        },
    )
    return uvicorn.Config(
        BodyLimit(app, limits.max_body_bytes, limits.body_timeout_s),
        host=host,
        port=port,
        http=protocol,
        ws="none",
        timeout_keep_alive=max(1, round(limits.keep_alive_s)),
        h11_max_incomplete_event_size=limits.max_header_bytes,
        server_header=False,
        proxy_headers=False,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        log_level=log_level,
    )
