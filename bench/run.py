"""`make bench`: every benchmark in turn, then bench/RESULTS.md.

Every benchmark runs on each engine of BENCH_ENGINES (SQLite and PostgreSQL). The
PostgreSQL databases made for the run are dropped at its end. Sizes and other settings:
see bench/common.py.

    python bench/run.py [NAME ...]   # NAME: submit, export, indicators, page, dashboard,
                                     #       isolation
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import dashboard  # noqa: E402
import export_csv  # noqa: E402
import indicators  # noqa: E402
import isolation  # noqa: E402
import report  # noqa: E402
import submit  # noqa: E402
import survey_page  # noqa: E402


def main(names: list[str]) -> int:
    steps: list[tuple[str, Callable[[], list[common.Figure]]]] = []
    for engine in common.ENGINES:
        steps.append(("submit", lambda e=engine: submit.run(e)))
        steps.append(("page", lambda e=engine: survey_page.run(e)))
    for engine in common.ENGINES:
        steps.append(("export", lambda e=engine: export_csv.run(e)))
        steps.append(("indicators", lambda e=engine: indicators.run(e)))
    for engine in common.ENGINES:
        steps.append(("dashboard", lambda e=engine: dashboard.run(e)))
        steps.append(("isolation", lambda e=engine: isolation.run(e)))
    chosen = [(name, step) for name, step in steps if not names or name in names]
    if not names:
        common.RESULTS.unlink(missing_ok=True)  # a whole run: no figure of an older one
    started = time.monotonic()
    failed = []
    try:
        for name, step in chosen:
            try:
                common.record(step())
            except Exception:  # noqa: BLE001 - report it, run the others
                common.say(f"bench: {name} failed:\n{traceback.format_exc()}")
                failed.append(name)
    finally:
        common.drop_bench_databases()
    report.main()
    common.say(f"bench: done in {(time.monotonic() - started) / 60:.0f} min"
               + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
