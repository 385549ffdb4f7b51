"""The installation's one argon2id set-up: hashing, checking, and a check that costs the same for nobody."""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# A real hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Check ``password`` against a stored hash; a missing or malformed hash never matches."""
    if stored is None:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_for_nobody(password: str) -> None:
    """Spend a real check's time when there is no such user, so the answer's timing does not tell."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, password)
