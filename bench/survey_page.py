"""Benchmark 4: survey page GETs per second, against a bare response of the same HTML.

`vnform serve` (one worker) renders the 20-question bench form for first visits (no
cookie: each gets its session, CSRF and one-time tokens, as a citizen arriving from a
link does). The baseline is a bare Starlette app (bench/bare.py) under the same uvicorn
settings that returns the HTML bytes the app rendered. Alternating rounds, sent by wrk.
Target: ratio >= 0.25, on each engine (a first visit reads nothing from the database;
the form's page is the same).

    python bench/survey_page.py [sqlite|postgres ...]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    CONCURRENCY,
    ENGINES,
    FORM_ID,
    QUICK,
    VAR,
    Figure,
    Server,
    client_ceiling,
    fetch,
    fresh_database,
    get,
    load,
    median,
    run_engines,
    say,
    wrk,
)

ROUNDS = 5
PER_ROUND = 2000 if QUICK else 10000
CEILING_REQUESTS = 5000 if QUICK else 20000
TARGET = 0.25
#: Issue 15: server CPU per first-visit page.
CPU_TARGET_MS = 0.6


def run(engine: str) -> list[Figure]:
    say(f"bench: survey page on {engine}")
    url = fresh_database(engine, "page")
    request = get(f"/f/{FORM_ID}")
    with Server.vnform(url, f"page-vnform-{engine}") as app:
        status, _headers, html = asyncio.run(fetch(app.port, request))
        assert status == 200 and html.count(b'class="question') >= 20, status
        page = VAR / f"page-{engine}.html"
        page.write_bytes(html)
        with Server(["bench/bare.py", "page", "--html", str(page)], f"page-bare-{engine}") as bare:
            for server in (app, bare):  # warm up
                asyncio.run(load(server.port, [request] * 100, concurrency=4))
            ours: list[float] = []
            theirs: list[float] = []
            cpu: dict[str, list[float]] = {app.name: [], bare.name: []}
            for r in range(ROUNDS):
                for server, rates in ((app, ours), (bare, theirs)):
                    before = server.cpu_seconds()
                    done = wrk(server.port, [request] * PER_ROUND)
                    cpu[server.name].append((server.cpu_seconds() - before) / PER_ROUND * 1000)
                    assert done.statuses == {200: PER_ROUND}, done.statuses
                    rates.append(done.rate)
                say(f"bench: round {r + 1}: vnform {ours[-1]:.0f}/s "
                    f"({cpu[app.name][-1]:.2f} ms CPU each), bare {theirs[-1]:.0f}/s "
                    f"({cpu[bare.name][-1]:.2f} ms CPU each)")
            ceiling = client_ceiling(bare.port, CEILING_REQUESTS)
    figure, baseline = median(ours), median(theirs)
    ours_cpu, theirs_cpu = median(cpu[app.name]), median(cpu[bare.name])
    return [Figure("4 survey page", engine, "GET /f/bench-20 per second (first visits)",
                   figure, baseline, "req/s", f">= {TARGET}", figure / baseline >= TARGET,
                   figure / baseline,
                   f"{len(html):,} bytes of HTML; {ROUNDS} alternating rounds of "
                   f"{PER_ROUND}, {CONCURRENCY} connections (wrk); median of rounds"),
            Figure("4 survey page", engine, "server CPU per page", ours_cpu, theirs_cpu,
                   "ms", f"< {CPU_TARGET_MS}", ours_cpu < CPU_TARGET_MS, theirs_cpu / ours_cpu,
                   "user+system time of the server process; baseline: the bare response's"),
            Figure("4 survey page", engine, "load client ceiling (wrk, GET /healthz of the "
                   "bare server)", ceiling, None, "req/s", "(information)", None, None,
                   "what the load client and a trivial endpoint reach together")]


if __name__ == "__main__":
    run_engines(run, sys.argv[1:] or ENGINES)
