"""The installation's one argon2id set-up: hashing, checking, and a check that costs the same for nobody."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# A real hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Verifications:
    """How many argon2 verifications this process ran: every refusal path must spend exactly one."""

    count = 0


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    Verifications.count += 1
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_matches(stored: str | None, password: str) -> bool:
    """Check ``password`` against a stored hash; a missing or malformed hash never matches (and costs the same)."""
    if stored is None or not stored.startswith("$argon2"):
        check_for_nobody(password)
        return False
    return _verify(stored, password)


def check_for_nobody(password: str) -> None:
    """Spend a real check's time when there is no user or no usable hash, so the answer's timing does not tell."""
    _verify(_DUMMY_HASH, password)
