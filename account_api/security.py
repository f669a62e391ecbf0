"""Secrets: generation, keyed hashing, encryption at rest and constant-time comparison.

Codes and reset tokens are random and short-lived, so a keyed HMAC-SHA256 (the pepper lives outside
the database) is enough to check them. Connection passwords are different: the customer asks to be
told the *current* one (the help page calls it 「確認」), so it must be recoverable. It is kept
encrypted with Fernet (cryptography: AES-128-CBC + HMAC-SHA256), the key outside the database, and
never re-issued: a new password would cut off a router that works today.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

from cryptography.fernet import Fernet, MultiFernet

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


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def code_hash(pepper: str, verification_id: str, code: str) -> str:
    # Bound to the verification id, so a code only ever matches the verification it was sent for.
    return keyed_hash(pepper, "verification-code", verification_id, code)


def code_matches(pepper: str, verification_id: str, code: str, stored_hash: str | None) -> bool:
    # Decoy and used verifications have no hash; still compute one so both paths cost the same.
    candidate = code_hash(pepper, verification_id, code)
    return constant_time_equals(candidate, stored_hash or "0" * len(candidate)) and stored_hash is not None


class SecretBox:
    """Encrypts what the sandbox must be able to give back: connection passwords and outbox bodies.

    `keys` is one Fernet key or several, comma-separated: the first encrypts, every one decrypts, so a
    key is rotated by putting the new one first and keeping the old one until the data is re-encrypted.
    """

    def __init__(self, keys: str) -> None:
        parts = [key.strip() for key in keys.split(",") if key.strip()]
        if not parts:
            raise ValueError("ACCOUNT_API_ENCRYPTION_KEY is empty (Fernet.generate_key() makes one)")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in parts])
        except ValueError as error:  # not 32 url-safe base64 bytes: say which setting, never echo the key
            raise ValueError(f"ACCOUNT_API_ENCRYPTION_KEY is not a Fernet key: {error}") from None

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
