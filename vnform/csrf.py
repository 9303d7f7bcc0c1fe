"""CSRF protection: a per-session synchronizer token (OWASP CSRF cheat sheet).

The token lives in the signed session cookie and in a hidden field of every form;
a POST whose field does not match its session's token is refused.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

FIELD = "csrf_token"
#: The detail of a refusal for a missing or stale token, so the error page can say
#: "this page has expired" rather than "you may not see this".
EXPIRED = "expired"


def token(session: MutableMapping[str, Any]) -> str:
    """The session's token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def valid(session: MutableMapping[str, Any], submitted: object) -> bool:
    expected = session.get("csrf")
    if not isinstance(expected, str) or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
