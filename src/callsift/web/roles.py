"""Who may do what in the review app: four roles and the capabilities they carry.

A role is the account's; which cases an account sees is its membership
(:mod:`callsift.store.team`). The split follows how documentation teams
divide the work, with verification kept apart from preparation:

* ``viewer`` reads, searches and listens;
* ``analyst`` also annotates, corrects transcripts and exports evidence;
* ``reviewer`` also sets a call's verification status: the one who vouches
  for a call is not by default the one who prepared it;
* ``admin`` may do everything, and manages accounts.

Every route names the capability it needs; nothing is granted by default.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLES", "Capability", "can"]


class Capability(StrEnum):
    READ = "read"  # pages, search, audio, the JSON API's reads
    ANNOTATE = "annotate"  # add notes to calls
    CORRECT = "correct"  # correct a segment of a transcript
    VERIFY = "verify"  # set a call's verification status
    EXPORT = "export"  # evidence packages and reports
    ADMIN = "admin"  # accounts


_GRANTS: dict[str, frozenset[Capability]] = {
    "viewer": frozenset({Capability.READ}),
    "analyst": frozenset(
        {Capability.READ, Capability.ANNOTATE, Capability.CORRECT, Capability.EXPORT}
    ),
    "reviewer": frozenset(
        {
            Capability.READ,
            Capability.ANNOTATE,
            Capability.CORRECT,
            Capability.VERIFY,
            Capability.EXPORT,
        }
    ),
    "admin": frozenset(Capability),
}

ROLES: tuple[str, ...] = ("admin", "reviewer", "analyst", "viewer")


def can(role: str, capability: Capability) -> bool:
    """Whether ``role`` carries ``capability`` (an unknown role carries none)."""
    return capability in _GRANTS.get(role, frozenset())
