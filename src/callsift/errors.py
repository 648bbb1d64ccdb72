"""Errors callsift raises on purpose.

Data errors stay apart from bugs, as in alephdata/ingest-file: a batch catches
``InputError`` only, records it against the file and goes on; anything else is
a bug and stops the run.

    CallsiftError
    ├── InputError        one input file is unusable (names the file and why)
    ├── ModelError        the speech model is missing or fails its hash check
    ├── CaseError         the case folder or database cannot be used
    │   ├── DiskFullError the disk holding the case is full (the batch stops)
    │   └── CaseBusyError another run holds the case's work lock
    ├── ReviewError       a verification change is refused (unknown call, missing note)
    ├── ConflictError     a record changed since the version the reviewer saw
    │                     (a verification, a corrected segment)
    ├── OriginalError     a stored original is missing or no longer matches its hash
    └── ClusterError      the Dask cluster cannot be reached, or a worker is set up
                          unlike the client (another arithmetic, no model)
"""

from __future__ import annotations

__all__ = [
    "CallsiftError",
    "CaseBusyError",
    "CaseError",
    "ClusterError",
    "ConflictError",
    "DiskFullError",
    "InputError",
    "ModelError",
    "OriginalError",
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


class CaseBusyError(CaseError):
    """Another run is working on the case; this one stops before doing anything."""

    def __init__(self, root: object, holder: str) -> None:
        super().__init__(
            f"{root}: {holder} is working on this case; run this again when it has finished"
        )
        self.holder = holder


class ReviewError(CallsiftError):
    """A verification change cannot be made as asked (the message says what to fix).

    ``field`` names the input at fault (``status``, ``note``, ``links``) where
    one is, so a form can mark it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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


class OriginalError(CallsiftError):
    """A stored original is missing, or its bytes no longer hash to the SHA-256 of ingest.

    Nothing is exported or played from it: the message names the call, the
    file and both hashes, for the team to restore the original from a copy.
    """

    def __init__(
        self,
        call_id: int,
        file: str,
        path: str,
        expected: str,
        found: str | None,
        unreadable: str | None = None,
    ) -> None:
        if unreadable is not None:
            what = f"cannot be read ({path}: {unreadable}; SHA-256 at ingest {expected})"
        elif found is None:
            what = f"is missing from the case ({path}; SHA-256 at ingest {expected})"
        else:
            what = (
                f"was changed or replaced: {path} has SHA-256 {found},"
                f" not {expected} recorded at ingest"
            )
        super().__init__(
            f"call {call_id} ({file}): the original {what}; restore it from a copy of the case"
        )
        self.call_id = call_id
        self.file = file
        self.path = path
        self.expected = expected
        self.found = found


class DiskFullError(CaseError):
    """The disk holding the case is full: no one file is at fault, so the batch stops.

    The case is left as it was before the file at hand (no temp file, no original
    without its record); once there is space, the same command picks up again.
    """

    def __init__(self, folder: str, free: int, needed: int | None = None, file: str = "") -> None:
        need = f"needs {needed / 1e6:,.1f} MB, " if needed is not None else ""
        stopped = "the batch stopped before this file" if file else "the last change was not saved"
        super().__init__(
            f"{file + ': ' if file else ''}no space left on the disk of {folder}"
            f" ({need}{free / 1e6:,.1f} MB free); {stopped} and"
            " the case is as it was; free some space and run the same command again"
        )
        self.folder = folder
        self.free = free
        self.needed = needed
        self.file = file


class ClusterError(CallsiftError):
    """The Dask cluster cannot run the calls; those not yet saved stay pending."""
