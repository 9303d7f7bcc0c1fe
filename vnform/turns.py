"""Citizens first: officials' work gives way while citizens' requests are in progress.

One server process runs every request on one event loop. An official's results page,
export or indicators run many steps (statements, slices of rows, rendering), and a
citizen's submission waits for whatever step holds the loop when its own turn comes.
So officials' work calls :func:`give_way` between its steps: while any citizen's
request is in progress, it waits (a moment at most: officials are slowed, never
stopped), and the citizen's steps run first.

The middleware (:class:`vnform.middleware.CitizensFirst`) counts citizens' requests and
lends officials' requests the hook; the store's reads and the exports call it. Nothing
is global: the hook travels in a context variable, set for officials' requests only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

__all__ = ["Citizens", "give_way", "giving_way"]

#: How long one step of an official's work waits for citizens, at most (seconds).
MOST = 0.05

_HOOK: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("give_way", default=None)


class Citizens:
    """Citizens' requests in progress in this process."""

    def __init__(self, most: float = MOST) -> None:
        self.active = 0
        self.most = most
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.active += 1
        self._idle.clear()

    def leave(self) -> None:
        self.active -= 1
        if not self.active:
            self._idle.set()

    async def wait(self) -> None:
        """Wait until no citizen's request is in progress, or ``most`` seconds."""
        if self.active:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.most):
                    await self._idle.wait()


@contextlib.contextmanager
def giving_way(citizens: Citizens):  # noqa: ANN201 - a context manager
    """Within the block (an official's request), :func:`give_way` waits for *citizens*."""
    token = _HOOK.set(citizens.wait)
    try:
        yield
    finally:
        _HOOK.reset(token)


async def give_way() -> None:
    """Between two steps of an official's work: let citizens' requests go first. Does
    nothing outside an official's request (the command line, citizens' own reads)."""
    hook = _HOOK.get()
    if hook is not None:
        await hook()
