"""How many sign-ins the server tries, and for whom: guessing stopped, lock-outs not handed out.

A failure is counted against the pair (name, address) and against the
address alone. After ``per_name`` failures for one name from one address in
``window_s``, that address may not try that name again until the window
has passed; after ``per_address`` failures of any names, the address may
not try at all. A user whose name someone else is guessing still signs in
from her own address, which has not failed.

An attempt is counted *before* its password is checked, under a lock, and
taken back if it succeeds: thirty attempts sent at once get exactly as many
password checks as the limit allows, not as many as got past the count
before the first failure was recorded.

The table is bounded: beyond ``max_keys`` names and addresses, the least
recently failed are forgotten first. Password checks themselves are argon2id
at 64 MiB each, so no more than ``hashing`` run at once (:attr:`hashing`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from callsift.web.errors import WebError

__all__ = ["Attempt", "Busy", "SignInThrottle", "TooManyAttempts"]


class TooManyAttempts(WebError):
    status = 429


class Busy(WebError):
    status = 503


@dataclass
class Attempt:
    """One sign-in attempt: ``right`` once its password checked out."""

    right: bool = False


@dataclass
class SignInThrottle:
    """The failed sign-ins the server remembers, and the slots for checking passwords."""

    per_name: int = 5
    per_address: int = 20
    window_s: float = 600.0
    max_keys: int = 10_000
    concurrent_checks: int = 4
    queue_s: float = 10.0
    _failures: OrderedDict[tuple[str, ...], deque[float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._checks = threading.BoundedSemaphore(self.concurrent_checks)

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def _count(self, key: tuple[str, ...], now: float) -> None:
        self._failures.setdefault(key, deque()).append(now)
        self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def _take_back(self, key: tuple[str, ...], now: float) -> None:
        times = self._failures.get(key)
        if times is not None and now in times:
            times.remove(now)
            if not times:
                del self._failures[key]

    @contextmanager
    def attempt(self, name: str, address: str) -> Iterator[Attempt]:
        """Count one attempt; set ``right`` on what it yields when the password was.

        Raises:
            TooManyAttempts: the name, from this address, or the address is locked.
            Busy: no slot to check the password came free in ``queue_s``.
        """
        pair, alone = ("name", name, address), ("address", address)
        now = time.monotonic()
        with self._lock:
            if len(self._recent(alone, now)) >= self.per_address:
                raise TooManyAttempts(
                    "too many failed sign-ins from your address; wait ten minutes"
                )
            if len(self._recent(pair, now)) >= self.per_name:
                raise TooManyAttempts(
                    "too many failed sign-ins for this name from your address; wait ten minutes"
                )
            self._count(pair, now)
            self._count(alone, now)
        outcome = Attempt()
        if not self._checks.acquire(timeout=self.queue_s):
            with self._lock:  # not tried, so not a failure
                self._take_back(pair, now)
                self._take_back(alone, now)
            raise Busy("the server is busy signing others in; try again in a moment")
        try:
            yield outcome
        finally:
            self._checks.release()
            if outcome.right:
                with self._lock:
                    self._take_back(alone, now)
                    self._failures.pop(pair, None)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()

    def __len__(self) -> int:
        return len(self._failures)
