"""Officials' passwords: argon2id hashing, a dummy hash for unknown accounts, and policy.

Standards followed:

* OWASP Password Storage Cheat Sheet: argon2id with at least m=19 MiB, t=2, p=1.
* RFC 9106 (Argon2), section 4: the recommended "low memory" parameter set.
* OWASP Authentication Cheat Sheet: the same work for unknown accounts as for known ones,
  so response time does not reveal which e-mail addresses have accounts.
* NIST SP 800-63B section 5.1.1.2 (memorized secrets): at least 8 characters (we ask 12),
  a maximum of at least 64 (we allow 128), every printable character and space allowed,
  Unicode normalised, checked against common and context-specific passwords, and no
  composition rules (no "one digit, one capital, one symbol").

This module is pure: no web framework, no database.
"""

from __future__ import annotations

import asyncio
import functools
import re
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from zxcvbn import zxcvbn

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "MIN_SCORE",
    "dummy_hash",
    "hash_password",
    "hash_password_async",
    "needs_rehash",
    "normalize",
    "password_problems",
    "verify_password",
    "verify_password_async",
]

# NIST SP 800-63B 5.1.1.2 asks for at least 8 characters; OWASP's Authentication Cheat
# Sheet and current guidance favour longer passphrases, so officials need 12.
MIN_LENGTH = 12
# NIST SP 800-63B 5.1.1.2: allow at least 64 characters. A ceiling still bounds the work
# an attacker can make us do per sign-in attempt (OWASP Authentication Cheat Sheet).
MAX_LENGTH = 128
# zxcvbn scores 0..4; 3 means "safely unguessable: moderate protection from offline
# slow-hash scenario" (about 10^10 guesses), which is what OWASP's strength-meter
# advice and NIST's "not commonly used, expected or compromised" rule amount to here.
MIN_SCORE = 3
# zxcvbn's matching is super-linear in the input length; it only sees a prefix.
_ZXCVBN_MAX_INPUT = 100

# argon2id with RFC 9106's second recommended option (t=3, m=64 MiB, p=4, 16-byte salt,
# 32-byte tag), which is also argon2-cffi's default. It is well above the OWASP minimum
# (m=19 MiB, t=2, p=1). Chosen deliberately: only officials sign in, so sign-ins are rare
# and we can afford ~50 ms and 64 MiB each; p=4 spreads the work over cores, so the same
# wall-clock cost buys more memory-hardness than p=1 would. The profile is pinned by name
# rather than taken from the library's defaults, so a library upgrade cannot silently
# change it; when we raise it, needs_rehash() upgrades hashes on the next sign-in.
_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def normalize(password: str) -> str:
    """The password in Unicode NFC, the form used for hashing and for counting length.

    NIST SP 800-63B 5.1.1.2 asks verifiers to normalise Unicode before hashing, so the
    same Vietnamese password typed on keyboards that emit composed ("ệ") or decomposed
    ("e" + U+0302 + U+0323) characters verifies the same.
    """
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    """An argon2id PHC string (``$argon2id$v=19$m=...,t=...,p=...$salt$tag``), fresh salt."""
    return _HASHER.hash(normalize(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; False (never an error) if the hash is bad."""
    try:
        return _HASHER.verify(stored_hash, normalize(password))
    except (VerificationError, InvalidHashError):
        # VerifyMismatchError (wrong password) is a VerificationError; a corrupt or
        # non-argon2 string raises InvalidHashError or VerificationError.
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (or cannot be read).

    Call after a successful verify_password() and store hash_password() of the same
    password if True (OWASP Password Storage Cheat Sheet, "upgrading the work factor").
    """
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@functools.cache
def dummy_hash() -> str:
    """A hash of a random secret, made once, for sign-ins with an unknown e-mail.

    Verify the submitted password against it (and then refuse), so an unknown account
    costs the same time as a wrong password (OWASP Authentication Cheat Sheet)::

        ok = await verify_password_async(user.password_hash if user else dummy_hash(), pw)
        ok = ok and user is not None

    The first call hashes (~50 ms); call it once at startup to keep that off a request.
    """
    return hash_password(secrets.token_urlsafe(32))


def __getattr__(name: str) -> str:
    # ``passwords.DUMMY_HASH`` is computed lazily on first access (PEP 562).
    if name == "DUMMY_HASH":
        return dummy_hash()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


async def hash_password_async(password: str) -> str:
    """hash_password() in a worker thread: it takes tens of ms and would block the loop."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(stored_hash: str, password: str) -> bool:
    """verify_password() in a worker thread: it takes tens of ms and would block the loop."""
    return await asyncio.to_thread(verify_password, stored_hash, password)


def _context_words(email: str) -> list[str]:
    """Words an attacker would try first for this account (NIST SP 800-63B 5.1.1.2:
    "context-specific words, such as the name of the service, the username")."""
    email = email.strip().lower()
    local = email.partition("@")[0]
    words = ["vnform", email, local, re.sub(r"[._+-]", "", local)]
    words += [piece for piece in re.split(r"[._+-]", local) if len(piece) >= 3]
    return [word for word in dict.fromkeys(words) if word]


def password_problems(password: str, email: str = "") -> list[str]:
    """Why ``password`` is not acceptable, as English sentences; empty if it is acceptable.

    Rules: NIST SP 800-63B 5.1.1.2 and the OWASP Authentication Cheat Sheet. There are
    deliberately no composition rules: NIST says verifiers SHALL NOT impose them.
    """
    password = normalize(password)
    # Length in Unicode code points after NFC (NIST SP 800-63B 5.1.1.2), so "ữ" is one
    # character whichever way the keyboard encoded it.
    length = len(password)
    if length < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters (this password has {length})."]
    if length > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters (this password has {length})."]
    if not password.strip():
        return ["The password cannot be only spaces."]

    # NIST SP 800-63B 5.1.1.2: refuse values that are commonly used, expected or
    # compromised, including dictionary words, repetitive or sequential characters and
    # context-specific words. zxcvbn (Dropbox's estimator) carries common-password,
    # name and word lists and spots keyboard walks, sequences, repeats and dates.
    result = zxcvbn(
        password[:_ZXCVBN_MAX_INPUT],
        user_inputs=_context_words(email),
        max_length=_ZXCVBN_MAX_INPUT,
    )
    if result["score"] >= MIN_SCORE:
        return []
    feedback = result.get("feedback") or {}
    parts = ["This password is too easy to guess."]
    warning = feedback.get("warning")
    if warning:
        parts.append(warning if warning.endswith(".") else f"{warning}.")
    parts.extend(feedback.get("suggestions") or [])
    if not warning and any(word in password.lower() for word in _context_words(email)):
        parts.append("Avoid your e-mail address, its parts and the site's name.")
    return [" ".join(parts)]
