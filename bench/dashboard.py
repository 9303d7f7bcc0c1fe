"""Benchmark 5: what officials read, at BENCH_RESPONSES responses (and at 10,000,000 on
PostgreSQL with BENCH_BIG=1).

An official opens pages of `vnform serve` (one worker); each is timed to the whole
page, the first time after the server started and then warm (median of three):

- the results page of the bench form (``/admin/forms/bench-20``), whose figures come
  from the tallies; the baseline column is the same page at BENCH_SMALL responses
  (the page should cost what the figures cost, not what the answers cost);
- the results page with one answer filter (a segment: ``kenh:online``, 46% of the
  responses, and ``hai_long:1``, 7%), counted live from the raw answers;
- the indicators page (``/admin/indicators``: the chosen quarter and the 7 before).

The SQL statements of a results page are counted in-process (the app under Starlette's
TestClient) at both sizes. Targets: results page under 0.3 s warm on each engine, the
same number of statements at both sizes, within 2x at 10,000,000 on PostgreSQL; a
segmented view under 3 s; the indicators page under 0.5 s.

    python bench/dashboard.py [sqlite|postgres ...]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BIG,
    ENGINES,
    FORM_ID,
    FORMS,
    N_BIG,
    N_LARGE,
    N_SMALL,
    OFFICIAL,
    PASSWORD,
    SECRET,
    VAR,
    Figure,
    QueryCounter,
    Server,
    add_official,
    dataset,
    fetch,
    get,
    median,
    run_engines,
    say,
    sign_in,
)

RESULTS_TARGET = 0.3
SEGMENT_TARGET = 3.0
INDICATORS_TARGET = 0.5
BIG_TARGET = 2.0
URL = f"/admin/forms/{FORM_ID}"
SEGMENTS = {"kenh:online": "46%", "hai_long:1": "7%"}
INDICATORS = "/admin/indicators"


def page_times(url: str, paths: list[str]) -> dict[str, tuple[float, list[float]]]:
    """(first, warm) seconds to the whole of each page, from a fresh server."""
    found = {}
    with Server.vnform(url, "dashboard-vnform") as app:
        cookie = sign_in(app.port)
        for path in paths:
            times = []
            for _ in range(4):
                started = time.perf_counter()
                status, _headers, body = asyncio.run(
                    fetch(app.port, get(path, {"Cookie": cookie})))
                times.append(time.perf_counter() - started)
                assert status == 200, (path, status)
                say(f"bench: {path} in {times[-1]:.3f} s")
            found[path] = (times[0], times[1:])
    return found


def statements(url: str) -> list[str]:
    """The SQL statements one results page sends (the app in-process)."""
    import re

    from starlette.testclient import TestClient
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from vnform.app import create_app
    from vnform.settings import Settings

    # Tortoise caches INSERT statements per connection name, not per engine: this
    # process may have run the other engine's app under the same name before.
    EXECUTOR_CACHE.clear()
    settings = Settings(forms_dir=FORMS, database_url=url, secret_key=SECRET,
                        migrate=not url.startswith("sqlite"))
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        page = client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        signed = client.post("/admin/login", follow_redirects=False, data={
            "csrf_token": token.group(1), "email": OFFICIAL, "password": PASSWORD})
        assert signed.status_code == 303, signed.status_code
        client.get(URL)  # the first page of a session may do one-time work
        with QueryCounter() as counter:
            assert client.get(URL).status_code == 200
    return [f"{seconds * 1000:8.1f} ms  {sql}"
            for seconds, sql in zip(counter.seconds, counter.statements, strict=True)]


#: The signed-in session's keep-alive: a write at most once a minute, whatever the page.
KEEP_ALIVE = 'UPDATE "user_session"'


def run(engine: str) -> list[Figure]:
    say(f"bench: officials' pages on {engine}")
    counted = {}
    urls = {}
    for n in (N_SMALL, N_LARGE):
        urls[n] = dataset(engine, n)
        add_official(urls[n])
        listed = statements(urls[n])
        (VAR / f"dashboard-statements-{engine}-{n}.txt").write_text("\n".join(listed) + "\n")
        counted[n] = [line for line in listed if KEEP_ALIVE not in line]
        say(f"bench: {n:,} responses: {len(counted[n])} statements")
    small = page_times(urls[N_SMALL], [URL])[URL]
    segments = {code: f"{URL}?segment={code}" for code in SEGMENTS}
    large = page_times(urls[N_LARGE], [URL, *segments.values(), INDICATORS])
    first, warm = large[URL]
    figures = [
        Figure("5 dashboard", engine, f"results page, {N_LARGE:,} responses (warm)",
               median(warm), median(small[1]), "s", f"< {RESULTS_TARGET} s",
               median(warm) < RESULTS_TARGET, median(warm) / median(small[1]),
               f"median of 3 after the first; baseline: the same page at {N_SMALL:,} "
               "responses"),
        Figure("5 dashboard", engine, f"results page, {N_LARGE:,} responses (first)", first,
               small[0], "s", "(information)", None, None,
               "first request after the server started (cold caches)"),
        Figure("5 dashboard", engine, f"SQL statements of a results page, {N_LARGE:,} "
               "responses", len(counted[N_LARGE]), len(counted[N_SMALL]), "statements",
               "equal", len(counted[N_LARGE]) == len(counted[N_SMALL]),
               note=f"counted at the database clients, without the session's keep-alive "
                    f"write (at most one a minute); baseline column: the count at "
                    f"{N_SMALL:,} responses; lists with each statement's time in "
                    f"bench/var/dashboard-statements-{engine}-N.txt"),
    ]
    for code, share in SEGMENTS.items():
        seg_first, seg_warm = large[segments[code]]
        figures += [
            Figure("5 dashboard", engine, f"segmented results page ({code}, {share}), "
                   f"{N_LARGE:,} responses (first)", seg_first, None, "s",
                   f"< {SEGMENT_TARGET} s", seg_first < SEGMENT_TARGET,
                   note="counted live from the raw answers; first request of the segment"),
            Figure("5 dashboard", engine, f"segmented results page ({code}, {share}), "
                   f"{N_LARGE:,} responses (warm)", median(seg_warm), None, "s",
                   f"< {SEGMENT_TARGET} s", median(seg_warm) < SEGMENT_TARGET,
                   note="median of 3 after the first"),
        ]
    ind_first, ind_warm = large[INDICATORS]
    figures.append(Figure(
        "5 dashboard", engine, f"indicators page (8 quarters), {N_LARGE:,} responses (warm)",
        median(ind_warm), ind_first, "s", f"< {INDICATORS_TARGET} s",
        median(ind_warm) < INDICATORS_TARGET, note="baseline column: the first request"))
    if BIG and engine == "postgres":
        big_url = dataset(engine, N_BIG)
        add_official(big_url)
        big = page_times(big_url, [URL])[URL]
        ratio = median(big[1]) / median(warm)
        figures.append(Figure(
            "5 dashboard", engine, f"results page, {N_BIG:,} responses (warm)",
            median(big[1]), median(warm), "s", f"<= {BIG_TARGET}x", ratio <= BIG_TARGET, ratio,
            f"baseline: the same page at {N_LARGE:,} responses; BENCH_BIG=1"))
    return figures


if __name__ == "__main__":
    run_engines(run, sys.argv[1:] or ENGINES)
