"""Errors callsift raises on purpose.

Data errors stay apart from bugs, as in alephdata/ingest-file: a batch catches
``InputError`` only, records it against the file and goes on; anything else is
a bug and stops the run.

    CallsiftError
    ├── InputError        one input file is unusable (names the file and why)
    ├── ModelError        the speech model is missing or fails its hash check
    └── CaseError         the case folder or database cannot be used
"""

from __future__ import annotations

__all__ = ["CallsiftError", "CaseError", "InputError", "ModelError"]


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
