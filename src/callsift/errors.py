"""Errors callsift raises on purpose.

Data errors stay apart from bugs, as in alephdata/ingest-file: a batch catches
``InputError`` only, records it against the file and goes on; anything else is
a bug and stops the run.

    CallsiftError
    ├── InputError        one input file is unusable (names the file and why)
    ├── ModelError        the speech model is missing or fails its hash check
    ├── CaseError         the case folder or database cannot be used
    ├── ReviewError       a verification change is refused (unknown call, missing note)
    └── ConflictError     a record changed since the version the reviewer saw
                          (a verification, a corrected segment)
"""

from __future__ import annotations

__all__ = [
    "CallsiftError",
    "CaseError",
    "ConflictError",
    "InputError",
    "ModelError",
    "ReviewError",
]


class CallsiftError(Exception):
    """Base of every error callsift raises on purpose."""


class InputError(CallsiftError):
    """One input file cannot be used; the batch records it and goes on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelError(CallsiftError):
    """The speech model cannot be found, verified or loaded."""


class CaseError(CallsiftError):
    """The case folder or its database cannot be opened or written."""


class ReviewError(CallsiftError):
    """A verification change cannot be made as asked (the message says what to fix)."""


class ConflictError(CallsiftError):
    """Someone changed the record since the version the reviewer saw; reload and retry."""

    def __init__(
        self, call_id: int, expected: int, current: int, what: str = "verification"
    ) -> None:
        super().__init__(
            f"call {call_id}: its {what} changed since version {expected} "
            f"(now version {current}); reload it and make the change again"
        )
        self.call_id = call_id
        self.expected = expected
        self.current = current
