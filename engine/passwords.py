"""Password hashing: argon2 (argon2-cffi), never a password stored or logged in clear.

One hasher for the process, swappable (tests use a cheap profile). A check against a missing
user spends the time of a real one, so a missing user cannot be told from a bad password;
a hash made with older parameters is reported for upgrade at the next sign-in.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's default: Argon2id with RFC 9106's low-memory profile (t=3, 64 MiB, p=4).
DEFAULT_PASSWORD_HASHER = PasswordHasher()
_hasher = DEFAULT_PASSWORD_HASHER
_dummy_hash: str | None = None


def set_password_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash new passwords with `hasher` and return the previous one.

    Hashes made earlier still verify (their parameters are part of the hash) and are
    upgraded at the next sign-in. Tests use this to swap in a cheap profile.
    """
    global _hasher, _dummy_hash
    previous, _hasher, _dummy_hash = _hasher, hasher, None
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return bool(_hasher.check_needs_rehash(password_hash))


def spend_check_time(password: str) -> None:
    """Spend the time of a real check, so a missing user cannot be told from a bad password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    try:
        _hasher.verify(_dummy_hash, password or "-")
    except VerificationError:
        return
