"""Accounts of the review app: creation, passwords and sign-in.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's
second recommended set); the hash alone is stored, in the team file. A
failed sign-in takes as long whether the name exists or not (a dummy hash
is checked), so the answer does not tell who has an account.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from callsift.errors import CallsiftError
from callsift.store.team import Account, TeamStore
from callsift.web.roles import ROLES

__all__ = [
    "AccountError",
    "MIN_PASSWORD",
    "add_account",
    "check_password",
    "set_password",
    "valid_name",
]

MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password of anyone")


class AccountError(CallsiftError):
    """An account cannot be created or changed as asked (the message says why)."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def valid_name(name: str) -> bool:
    """Whether ``name`` may be a user name (the web's account form checks it first)."""
    return bool(_NAME.match(name))


def add_account(team: TeamStore, name: str, role: str, password: str) -> Account:
    if not valid_name(name):
        raise AccountError(
            f"user name {name!r}: use 1-64 letters, digits and . _ @ -, starting with a letter"
            " or digit"
        )
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    _check_password(password)
    if not team.add_account(name, role, _HASHER.hash(password)):
        raise AccountError(f"user {name!r} exists already")
    account = team.account(name)
    assert account is not None
    return account


def set_password(team: TeamStore, name: str, password: str) -> None:
    """Change the password; every session of the account ends."""
    _check_password(password)
    if not team.update_account(name, password_hash=_HASHER.hash(password)):
        raise AccountError(f"no user {name!r}")


def check_password(team: TeamStore, name: str, password: str) -> Account | None:
    """The account if ``password`` is its password and it is enabled, else ``None``."""
    stored = team.password_hash(name)
    try:
        _HASHER.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    account = team.account(name)
    if stored is None or account is None or account.disabled:
        return None
    if _HASHER.check_needs_rehash(stored):
        team.update_account(name, password_hash=_HASHER.hash(password))
    return account
