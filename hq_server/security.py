"""Device keys, enrolment tokens and admin passwords.

Device keys and tokens are 32 random bytes, stored as their SHA-256. A slow hash
(argon2) protects guessable secrets; a 256-bit random key cannot be guessed, so
SHA-256 loses nothing against a stolen database, and every sync call checks the key:
argon2's ~50 ms of CPU per request would cap a worker at ~20 requests a second.
Admin passwords are chosen by people, so they get argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored, secret_hash(secret))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
