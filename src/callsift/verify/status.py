"""The reviewers' verdict on each call: status, reviewer, evidence notes, links.

Journalists publish only what they can defend, so a status is a claim with its
grounds attached. The rules, decided here once for the CLI and a later web app:

* ``verified``, ``disputed`` and ``rejected`` need a note: what the call was
  checked against, or why it is doubted. A bare verdict cannot be defended or
  reviewed later.
* ``corroborated`` needs at least one link to a corroborating call (given now
  or earlier): that is what the word claims.
* ``unverified`` needs nothing; it withdraws a verdict, and the history keeps
  what was withdrawn.
* Links are only ever added. A link made in error stays in the history and the
  custody log either way; the reviewer answers it with a new status and note.

Every change lands in the append-only history and the custody log in one
transaction (``store.verification``). A client that shows a record and later
sends a change passes the ``version`` it saw; a change made meanwhile by
someone else makes it fail with :class:`~callsift.errors.ConflictError`
rather than be silently overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from callsift.errors import ReviewError
from callsift.records import VerificationRecord
from callsift.store import CaseStore
from callsift.store.case import default_actor
from callsift.store.verification import list_verification, read_verification, write_verification

__all__ = [
    "NOTE_REQUIRED",
    "STATUSES",
    "Status",
    "default_reviewer",
    "set_status",
    "verification_list",
    "verification_of",
]


class Status(StrEnum):
    """A call's place in review (the CLI offers these as choices)."""

    UNVERIFIED = "unverified"
    CORROBORATED = "corroborated"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    REJECTED = "rejected"


STATUSES: tuple[str, ...] = tuple(status.value for status in Status)
NOTE_REQUIRED: frozenset[str] = frozenset({"verified", "disputed", "rejected"})


def default_reviewer() -> str:
    """``$CALLSIFT_ACTOR``, else the OS user: the same rule as the custody log's actor."""
    return default_actor()


def verification_of(store: CaseStore, call_id: int) -> VerificationRecord:
    """The call's whole record: current status, links and every change, oldest first."""
    record = read_verification(store, call_id)
    if record is None:
        raise ReviewError(f"no call {call_id} in this case (see callsift list)")
    return record


def verification_list(store: CaseStore, status: str | None = None) -> list[VerificationRecord]:
    """Every call's record, optionally only those with ``status``."""
    if status is not None:
        _check_status(status)
    return list_verification(store, status)


def set_status(
    store: CaseStore,
    call_id: int,
    status: str,
    reviewer: str | None,
    note: str = "",
    links: Iterable[int] = (),
    expected_version: int | None = None,
) -> VerificationRecord:
    """Set a call's status; returns the record as it now stands.

    Args:
        store: the open case.
        call_id: the call under review.
        status: one of :data:`STATUSES`.
        reviewer: who decides; ``None`` means :func:`default_reviewer`.
        note: the evidence or the reason (required for :data:`NOTE_REQUIRED`).
        links: ids of calls that corroborate this one, added to its links.
        expected_version: the version the reviewer saw (0 for a call never
            reviewed); ``None`` means the version read just now.

    Raises:
        ReviewError: unknown call or status, a missing note or link, a link to
            the call itself or to an unknown call.
        ConflictError: the record is no longer at ``expected_version``.
    """
    _check_status(status)
    who = (reviewer or "").strip() or default_reviewer()
    note = note.strip()
    wanted = sorted(set(links))
    current = verification_of(store, call_id)
    if call_id in wanted:
        raise ReviewError(
            f"call {call_id} cannot corroborate itself; link another call", field="links"
        )
    if status in NOTE_REQUIRED and not note:
        raise ReviewError(
            f"a {status} call needs a note saying why (what it was checked against, or the doubt)",
            field="note",
        )
    if status == "corroborated" and not wanted and not current.links:
        raise ReviewError(
            "a corroborated call needs a link to the call that corroborates it", field="links"
        )
    write_verification(
        store,
        call_id,
        status,
        who,
        note,
        wanted,
        current.version if expected_version is None else expected_version,
    )
    return verification_of(store, call_id)


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ReviewError(
            f"unknown status {status!r}; use one of {', '.join(STATUSES)}", field="status"
        )
