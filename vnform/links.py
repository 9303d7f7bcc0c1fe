"""Invitation links: ``/f/<form id>?t=<signed token>``, readable only with the app's key.

The token in a link is the invitation's secret signed with the deployment's secret key
(HMAC-SHA256, salted for this one use). A link that was altered, cut short or signed by
another deployment is refused here, before any database lookup; the database keeps only
a digest of the secret, so a copy of it opens no link. Pure: the command line, the web
pages and the API all build and read links with these functions.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from itsdangerous import BadSignature, Signer

#: Keeps invitation signatures apart from the session cookie's, made with the same key.
SALT = "vnform.invitation"
#: What `secrets.token_urlsafe` gives (and nothing a longer, forged link could carry).
SECRET = re.compile(r"[A-Za-z0-9_-]{22,64}")
#: Longest token read at all: a secret, a dot and a SHA-256 signature, with room to spare.
MAX_TOKEN_LENGTH = 200
QUERY_PARAMETER = "t"


def _signer(secret_key: str) -> Signer:
    if not secret_key:
        raise ValueError("invitation links need the deployment's secret key")
    return Signer(secret_key, salt=SALT, sep=".", digest_method=hashlib.sha256)


def sign_invitation(secret: str, secret_key: str) -> str:
    """The token of a link: *secret*, a dot, and its signature (URL-safe as it is)."""
    if not SECRET.fullmatch(secret):
        raise ValueError("not an invitation secret")
    return _signer(secret_key).sign(secret).decode("ascii")


def read_invitation_token(token: str, secret_key: str) -> str | None:
    """The invitation secret inside a link's token, or None when the token was not made
    with *secret_key* (tampered, truncated, from another deployment) or is malformed."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    try:
        secret = _signer(secret_key).unsign(token).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None
    return secret if SECRET.fullmatch(secret) else None


def invitation_path(form_id: str, secret: str, secret_key: str) -> str:
    """``/f/<form id>?t=<signed token>``: the path of the link that opens the invitation."""
    token = sign_invitation(secret, secret_key)
    return f"/f/{quote(form_id, safe='')}?{QUERY_PARAMETER}={token}"


def invitation_url(base_url: str, form_id: str, secret: str, secret_key: str) -> str:
    """The full link: *base_url* (where citizens reach vnform) followed by the path."""
    return base_url.rstrip("/") + invitation_path(form_id, secret, secret_key)
