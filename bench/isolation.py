"""Benchmark 6: a citizen's submission while officials read, at BENCH_RESPONSES responses.

`vnform serve` (one worker) holds the bench form with BENCH_RESPONSES responses. Two
officials reload its results page and a third downloads its CSV export, without pause,
while citizens send the short form ``bench-quick`` one after another: each submission
is timed from the POST to the end of its thank-you page. The baseline is the same
submissions with no official reading. Target: p95 under 100 ms while officials read.

    python bench/isolation.py [sqlite|postgres ...]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ENGINES,
    FIELDS,
    FORM_ID,
    N_LARGE,
    QUICK,
    Connection,
    Figure,
    Server,
    add_official,
    dataset,
    get,
    post,
    run_engines,
    say,
    session_cookie,
    sign_in,
)

CITIZENS = 60 if QUICK else 300
TARGET = 0.1
FORM = "/f/bench-quick"


async def submit(port: int) -> float:
    """One citizen: open the form, send it, read the thank-you page; seconds from the
    POST to the end of the thank-you page."""
    connection = await Connection.open(port)
    try:
        _status, headers, body = await connection.request(get(FORM))
        fields = {k.decode(): v.decode() for k, v in FIELDS.findall(body)}
        cookie = session_cookie(headers)
        data = urlencode({**fields, "danh_gia": "4", "gop_y": "Cán bộ hướng dẫn tận tình."})
        started = time.perf_counter()
        status, headers, _ = await connection.request(post(FORM, data.encode(),
                                                           {"Cookie": cookie}))
        assert status == 303, status
        cookie = session_cookie(headers) if "set-cookie" in headers else cookie
        status, _headers, _ = await connection.request(get(headers["location"],
                                                           {"Cookie": cookie}))
        assert status == 200, status
        return time.perf_counter() - started
    finally:
        await connection.close()


def read_on(port: int, cookie: str, path: str, stop: threading.Event,
            served: list[str]) -> None:
    """An official loading *path* again and again, until *stop*."""
    async def loop() -> None:
        while not stop.is_set():
            connection = await Connection.open(port)
            try:
                status, _headers, chunks = await connection.stream(get(path, {"Cookie": cookie}))
                assert status == 200, (path, status)
                async for _chunk in chunks:
                    if stop.is_set():
                        return
                served.append(path)
            finally:
                await connection.close()

    asyncio.run(loop())


def latencies(port: int, count: int) -> list[float]:
    async def all_of_them() -> list[float]:
        return [await submit(port) for _ in range(count)]

    return asyncio.run(all_of_them())


def summary(times: list[float]) -> tuple[float, float, float]:
    return (statistics.median(times), statistics.quantiles(times, n=20)[-1], max(times))


def run(engine: str) -> list[Figure]:
    say(f"bench: a citizen's submission while officials read, on {engine}")
    url = dataset(engine, N_LARGE)
    add_official(url)
    with Server.vnform(url, f"isolation-{engine}") as app:
        latencies(app.port, 20)  # warm-up
        alone = latencies(app.port, CITIZENS)
        stop = threading.Event()
        served: list[str] = []
        readers = [threading.Thread(target=read_on,
                                    args=(app.port, sign_in(app.port), path, stop, served))
                   for path in (f"/admin/forms/{FORM_ID}", f"/admin/forms/{FORM_ID}",
                                f"/admin/forms/{FORM_ID}/export.csv")]
        for reader in readers:
            reader.start()
        time.sleep(2)  # the reads are under way
        busy = latencies(app.port, CITIZENS)
        pages = sum(1 for path in served if not path.endswith(".csv"))
        stop.set()
        for reader in readers:
            reader.join(timeout=300)
    (p50, p95, most), (a50, a95, amost) = summary(busy), summary(alone)
    say(f"bench: alone p50 {a50 * 1000:.0f} ms p95 {a95 * 1000:.0f} ms; while officials "
        f"read ({pages} results pages meanwhile) p50 {p50 * 1000:.0f} ms, p95 "
        f"{p95 * 1000:.0f} ms, max {most * 1000:.0f} ms")
    note = (f"{CITIZENS} submissions one after another, POST to the end of the thank-you "
            f"page; meanwhile two officials reloaded the results page of {N_LARGE:,} "
            f"responses ({pages} pages) and one downloaded its CSV export; baseline: the "
            f"same submissions with nobody reading")
    return [
        Figure("6 isolation", engine, "submission p95 while officials read", p95, a95, "s",
               f"< {TARGET} s", p95 < TARGET, p95 / a95, note),
        Figure("6 isolation", engine, "submission p50 while officials read", p50, a50, "s",
               "(information)", None, p50 / a50),
        Figure("6 isolation", engine, "submission max while officials read", most, amost, "s",
               "(information)", None, most / amost),
    ]


if __name__ == "__main__":
    run_engines(run, sys.argv[1:] or ENGINES)
