"""`vnform serve` with the tallies switched off: the baseline of what counting costs a
submission (benchmark 1). Never a product setting: results read the tallies, so a server
without them would show wrong figures. Accepts `vnform serve`'s arguments.

    python bench/without_tallies.py --forms bench/forms --db URL --port P
"""

from __future__ import annotations

import sys
from typing import Any

from vnform.cli import main
from vnform.store import tallies


async def _count_nothing(*_args: Any, **_kwargs: Any) -> bool:
    return True  # as if the form always had room (the bench form has no cap)


def _no_writes(*_args: Any, **_kwargs: Any) -> list[Any]:
    return []


tallies.add = _count_nothing  # type: ignore[assignment]
tallies.writes = _no_writes  # type: ignore[assignment]
tallies.counter_writes = _no_writes  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
