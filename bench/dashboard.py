"""Benchmark 5: the results page of the bench form with BENCH_RESPONSES responses.

An official opens ``/admin/forms/bench-20`` on `vnform serve` (one worker): the time to
the whole page, the first time after the server starts and then warm (median of
three). The SQL statements the page sends are counted in-process (the app under
Starlette's TestClient) at BENCH_SMALL and BENCH_RESPONSES responses. Targets: under
2 s, the same bounded number of statements at both sizes.

    python bench/dashboard.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    FORM_ID,
    FORMS,
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
    record,
    say,
    sign_in,
)

TARGET = 2.0
URL = f"/admin/forms/{FORM_ID}"


def page_times(url: str) -> tuple[float, list[float]]:
    """(first, warm) seconds to the whole page from a fresh server."""
    with Server.vnform(url, "dashboard-vnform") as app:
        cookie = sign_in(app.port)
        times = []
        for _ in range(4):
            started = time.perf_counter()
            status, _headers, body = asyncio.run(fetch(app.port, get(URL, {"Cookie": cookie})))
            times.append(time.perf_counter() - started)
            assert status == 200 and b'class="big-number"' in body, status
            say(f"bench: results page in {times[-1]:.2f} s")
    return times[0], times[1:]


def statements(url: str) -> list[str]:
    """The SQL statements one results page sends (the app in-process)."""
    import re

    from starlette.testclient import TestClient

    from vnform.app import create_app
    from vnform.settings import Settings

    settings = Settings(forms_dir=FORMS, database_url=url, secret_key=SECRET)
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


#: The signed-in session's keep-alive: a write at most once a minute, whatever the page
#: (a page that takes over a minute to render makes the next one send it).
KEEP_ALIVE = 'UPDATE "user_session"'


def run() -> list[Figure]:
    say("bench: results page")
    counted = {}
    for n in (N_SMALL, N_LARGE):
        url = dataset("sqlite", n)
        add_official(url)
        listed = statements(url)
        (VAR / f"dashboard-statements-{n}.txt").write_text("\n".join(listed) + "\n")
        counted[n] = [line for line in listed if KEEP_ALIVE not in line]
        say(f"bench: {n:,} responses: {len(counted[n])} statements (and "
            f"{len(listed) - len(counted[n])} session keep-alive)")
    _first, warm_small = page_times(dataset("sqlite", N_SMALL))
    first, warm = page_times(dataset("sqlite", N_LARGE))
    typical = median(warm)
    small, large = len(counted[N_SMALL]), len(counted[N_LARGE])
    return [
        Figure("5 dashboard", "sqlite", f"results page, {N_SMALL:,} responses (warm)",
               median(warm_small), None, "s", "(information)", None,
               note="median of 3 after the first"),
        Figure("5 dashboard", "sqlite", f"results page, {N_LARGE:,} responses (warm)", typical,
               None, "s", f"< {TARGET} s", typical < TARGET,
               note="median of 3 after the first"),
        Figure("5 dashboard", "sqlite", f"results page, {N_LARGE:,} responses (first)", first,
               None, "s", f"< {TARGET} s", first < TARGET,
               note="first request after the server started (cold caches)"),
        Figure("5 dashboard", "sqlite", f"SQL statements, {N_LARGE:,} responses", large,
               small, "statements", "equal", small == large,
               note=f"statements: counted at tortoise's database client, without the "
                    f"session's keep-alive write (at most one a minute); baseline column: "
                    f"the count at {N_SMALL:,} responses; lists with each statement's time "
                    f"in bench/var/dashboard-statements-N.txt"),
    ]


def main() -> None:
    record(run())


if __name__ == "__main__":
    main()
