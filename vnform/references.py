"""Reference codes: the short code a citizen reads on the thank-you page and may quote.

A code is the first 8 characters of the base32 (RFC 4648) SHA-256 of the response's
one-time token, shown as ``XXXX-XXXX``. It is stored with the response (without the dash)
so that an official can find the response it names. 40 bits are short enough to read out
over the phone but not unique among millions of responses: a code may name several
responses, which lookups must allow for. Pure: the store, the pages and the migration
that gave old responses their code all use these functions.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re

#: Characters of a stored code.
LENGTH = 8
#: A stored code: base32's letters and digits (2 to 7), upper case, no dash.
CODE = re.compile(r"[A-Z2-7]{8}")
#: Longest text read as a code at all (a code with its dash, and room for stray spaces).
MAX_TEXT = 40


@functools.lru_cache(maxsize=1024)  # a submission asks twice: to store, then to show
def code_of(token: str) -> str:
    """The code of the response stored with *token*, as stored: ``ABCD2345``."""
    return base64.b32encode(hashlib.sha256(token.encode()).digest()).decode()[:LENGTH]


def shown(code: str) -> str:
    """A stored code as people read it: ``ABCD-2345``."""
    return f"{code[:4]}-{code[4:]}"


def parse(text: str) -> str | None:
    """The stored code that *text* names (any case, with or without its dash, spaces
    around it), or None when it cannot be one."""
    if len(text) > MAX_TEXT:
        return None
    code = text.strip().upper()
    if len(code) == LENGTH + 1 and code[4] == "-":
        code = code[:4] + code[5:]
    return code if CODE.fullmatch(code) else None
