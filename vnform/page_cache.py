"""Pages rendered once and sent to every visit that would see the same bytes.

A survey's first page, on a first visit, differs between visitors only by the tokens in
it: the session's CSRF token, the form's one-time token and the response's script nonce.
Rendering it (some 80 options through Jinja macros) is most of what such a request
costs. So it is rendered once per form version, page, language and address, with a
marker where each token goes, and each visit gets the stored pieces joined around its
own tokens. Pages holding a citizen's answers or errors are never stored: the views ask
for the cache only on a first visit (no draft, nothing posted).
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

__all__ = ["PageCache", "marks"]

#: Per process: no form text can contain them (nobody knows them in advance).
_SALT = secrets.token_hex(8)
NAMES = ("csrf_token", "token", "csp_nonce")


def marks() -> dict[str, str]:
    """The placeholder of each token, to render in its place."""
    return {name: f"vnform-mark-{name}-{_SALT}" for name in NAMES}


_MARK = re.compile(rf"vnform-mark-({'|'.join(NAMES)})-{_SALT}")


@dataclass(frozen=True)
class Pieces:
    """A rendered page cut at its markers: text, token name, text, ..."""

    texts: tuple[str, ...]
    names: tuple[str, ...]

    @classmethod
    def of(cls, html: str) -> Pieces:
        parts = _MARK.split(html)
        return cls(tuple(parts[0::2]), tuple(parts[1::2]))

    def fill(self, values: Mapping[str, str]) -> str:
        out = [self.texts[0]]
        for name, text in zip(self.names, self.texts[1:], strict=True):
            out.append(values[name])
            out.append(text)
        return "".join(out)


class PageCache:
    """The pieces of at most *size* pages, the least recently used dropped first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, tuple[object, Pieces]] = OrderedDict()

    def page(self, key: Hashable, source: object,
             render: Callable[[Mapping[str, str]], str], values: Mapping[str, str]) -> str:
        """The page of *key* with *values* for its tokens, rendered by *render* (given
        the markers) the first time, and again whenever *source* (the form it shows, as
        served now) is another object than the one it was rendered from."""
        found = self._pages.get(key)
        if found is None or found[0] is not source:
            found = (source, Pieces.of(render(marks())))
            self._pages[key] = found
            if len(self._pages) > self.size:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        return found[1].fill(values)
