"""Secrets: generation, keyed hashing and constant-time comparison.

Codes, reset tokens and connection passwords are random and short-lived or high-entropy, so a keyed
HMAC-SHA256 (the pepper lives outside the database) is enough; slow password hashing only pays off
for passwords people choose, which this service never receives.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

CODE_DIGITS = 6
# No 0/O, 1/l/I: the connection password is read off an SMS or a letter and typed into a router.
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def new_verification_id() -> str:
    return "vrf_" + secrets.token_urlsafe(18)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_connection_password(length: int = 10) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def keyed_hash(pepper: str, purpose: str, *parts: str) -> str:
    """HMAC-SHA256 over purpose and parts; the purpose keeps hashes of one kind from matching another."""
    message = "\x1f".join((purpose, *parts)).encode("utf-8")
    return hmac.new(pepper.encode("utf-8"), message, hashlib.sha256).hexdigest()


def salted_hash(pepper: str, purpose: str, secret: str) -> str:
    salt = secrets.token_hex(16)
    return f"{salt}${keyed_hash(pepper, purpose, salt, secret)}"


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def code_hash(pepper: str, verification_id: str, code: str) -> str:
    # Bound to the verification id, so a code only ever matches the verification it was sent for.
    return keyed_hash(pepper, "verification-code", verification_id, code)


def code_matches(pepper: str, verification_id: str, code: str, stored_hash: str | None) -> bool:
    # Decoy and used verifications have no hash; still compute one so both paths cost the same.
    candidate = code_hash(pepper, verification_id, code)
    return constant_time_equals(candidate, stored_hash or "0" * len(candidate)) and stored_hash is not None
