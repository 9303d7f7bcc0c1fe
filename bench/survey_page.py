"""Benchmark 4: survey page GETs per second, against a bare response of the same HTML.

`vnform serve` (one worker) renders the 20-question bench form for first visits (no
cookie: each gets its session, CSRF and one-time tokens, as a citizen arriving from a
link does). The baseline is a bare Starlette app (bench/bare.py) under the same uvicorn
settings that returns the HTML bytes the app rendered. Alternating rounds. Target:
ratio >= 0.25.

    python bench/survey_page.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    CONCURRENCY,
    FORM_ID,
    QUICK,
    VAR,
    Figure,
    Server,
    fetch,
    fresh_database,
    get,
    load,
    median,
    record,
    say,
)

ROUNDS = 5
PER_ROUND = 500 if QUICK else 3000
TARGET = 0.25


def run() -> list[Figure]:
    say("bench: survey page")
    url = fresh_database("sqlite", "page")
    request = get(f"/f/{FORM_ID}")
    with Server.vnform(url, "page-vnform") as app:
        status, _headers, html = asyncio.run(fetch(app.port, request))
        assert status == 200 and html.count(b'class="question') >= 20, status
        page = VAR / "page.html"
        page.write_bytes(html)
        with Server(["bench/bare.py", "page", "--html", str(page)], "page-bare") as bare:
            for server in (app, bare):  # warm up
                asyncio.run(load(server.port, [request] * 100, concurrency=4))
            ours: list[float] = []
            theirs: list[float] = []
            cpu: dict[str, list[float]] = {app.name: [], bare.name: []}
            for r in range(ROUNDS):
                for server, rates in ((app, ours), (bare, theirs)):
                    before = server.cpu_seconds()
                    done = asyncio.run(load(server.port, [request] * PER_ROUND))
                    cpu[server.name].append((server.cpu_seconds() - before) / PER_ROUND * 1000)
                    assert done.statuses == {200: PER_ROUND}, done.statuses
                    rates.append(done.rate)
                say(f"bench: round {r + 1}: vnform {ours[-1]:.0f}/s "
                    f"({cpu[app.name][-1]:.2f} ms CPU each), bare {theirs[-1]:.0f}/s "
                    f"({cpu[bare.name][-1]:.2f} ms CPU each)")
    figure, baseline = median(ours), median(theirs)
    ours_cpu, theirs_cpu = median(cpu[app.name]), median(cpu[bare.name])
    return [Figure("4 survey page", "sqlite", "GET /f/bench-20 per second (first visits)",
                   figure, baseline, "req/s", f">= {TARGET}", figure / baseline >= TARGET,
                   figure / baseline,
                   f"{len(html):,} bytes of HTML; {ROUNDS} alternating rounds of "
                   f"{PER_ROUND}, {CONCURRENCY} connections; median of rounds"),
            Figure("4 survey page", "sqlite", "server CPU per page", ours_cpu, theirs_cpu,
                   "ms", "(information)", None, theirs_cpu / ours_cpu,
                   "user+system time of the server process")]


def main() -> None:
    record(run())


if __name__ == "__main__":
    main()
