"""The forms a running server serves: those of the forms folder, read at start, and
those kept in the database, followed as officials publish, close and reopen them."""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from vnform import store
from vnform.forms.registry import Registry

log = logging.getLogger("vnform")

#: Seconds between two looks at the forms generation: a change made by another server
#: (or worker) is served here at most this long after (and a little more to load it).
POLL_SECONDS = 1.0


class LiveForms:
    """The :class:`Registry` every request reads, kept current with the database."""

    def __init__(self, files: Registry, registry: Registry, counting: store.Counting,
                 generation: int) -> None:
        self.files, self.registry, self.counting = files, registry, counting
        self.generation = generation
        #: One refresh at a time: a slower, older one never replaces a newer one.
        self._refreshing = asyncio.Lock()

    @classmethod
    async def start(cls, files: Registry, tz: ZoneInfo) -> LiveForms:
        """The files' forms and the database's, their versions recorded and their sheets
        laid out (the database must be open)."""
        generation = await store.forms_generation()  # first: no change can slip between
        registry = files.merged(await store.served_sources())
        for problem in registry.problems[len(files.problems):]:
            log.error("%s", problem)
        await store.record_versions(registry.forms.values())
        counting = await store.counting(registry.forms.values(), tz)
        return cls(files, registry, counting, generation)

    async def refresh(self) -> bool:
        """Load the database's forms again if the generation moved; whether it did."""
        async with self._refreshing:
            return await self._refresh()

    async def _refresh(self) -> bool:
        generation = await store.forms_generation()
        if generation == self.generation:
            return False
        fresh = self.files.merged(await store.served_sources())
        changed = [spec for form_id, spec in fresh.forms.items()
                   if getattr(self.registry.forms.get(form_id), "version", None) != spec.version]
        await store.record_versions(changed)
        await self.counting.lay_out(changed)
        known = {str(p) for p in self.registry.problems}
        for problem in fresh.problems:
            if str(problem) not in known:
                log.error("%s", problem)
        self.registry.take(fresh)
        self.generation = generation
        return True

    async def follow(self, every: float = POLL_SECONDS) -> None:
        """Refresh every *every* seconds, for ever (a failure is logged, then retried)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database may be briefly away
                log.exception("could not load the forms kept in the database")
