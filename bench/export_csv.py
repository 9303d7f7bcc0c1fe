"""Benchmark 2: CSV export of the bench form, against the database's own command line.

An official downloads ``/admin/forms/bench-20/export.csv`` from `vnform serve` (one
worker) over HTTP: rows per second, time to the first byte of the body, and the growth
of the server's peak memory during the download (``VmHWM`` in /proc, reset before each
download), at BENCH_SMALL and BENCH_RESPONSES responses. The baseline runs the
equivalent query (one row per response, one column per answer key, multiple answers
joined with ``;``) through ``sqlite3 -csv`` or ``psql \\copy ... to stdout with csv`` on
the same database, its output read through a pipe. Alternating rounds. Targets: ratio
>= 0.25, first byte under 1 s, peak memory growth under 50 MB at both sizes.

    python bench/export_csv.py [sqlite|postgres ...]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ENGINES,
    FORM_ID,
    FORMS,
    N_LARGE,
    N_SMALL,
    Connection,
    Figure,
    Server,
    add_official,
    dataset,
    get,
    median,
    run_engines,
    say,
    sign_in,
)

MB = 1024 * 1024
TARGET_RATIO = 0.25
TARGET_FIRST_BYTE = 1.0
TARGET_MEMORY = 50 * MB


def answer_keys() -> list[str]:
    from vnform.export import answer_columns
    from vnform.forms.registry import Registry

    return answer_columns(Registry.load(FORMS).forms[FORM_ID])


def baseline_query(engine: str) -> str:
    """One row per response, one column per answer key: what the export writes."""
    if engine == "sqlite":
        cells = [f"group_concat(CASE WHEN a.question = '{key}' THEN coalesce(a.value, a.text) "
                 f"END, ';') AS \"{key}\"" for key in answer_keys()]
        time_cell = "strftime('%Y-%m-%dT%H:%M:%SZ', r.submitted_at) AS submitted_at"
    else:
        cells = [f"string_agg(coalesce(a.value, a.text), ';' ORDER BY a.id) FILTER "
                 f"(WHERE a.question = '{key}') AS \"{key}\"" for key in answer_keys()]
        time_cell = ("to_char(r.submitted_at AT TIME ZONE 'UTC', "
                     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS submitted_at")
    return (f"SELECT r.id AS response_id, {time_cell}, r.language, "
            f"r.form_version, {', '.join(cells)} "
            f"FROM response r LEFT JOIN answer a ON a.response_id = r.id "
            f"WHERE r.form_id = '{FORM_ID}' GROUP BY r.id ORDER BY r.id")


def run_baseline(engine: str, url: str) -> tuple[float, float, int]:
    """(seconds, seconds to the first byte, bytes) of the command-line export."""
    query = baseline_query(engine)
    if engine == "sqlite":
        command = ["sqlite3", "-csv", "-header", url.removeprefix("sqlite://"), query]
    else:
        command = ["psql", "-X", "-q", url.replace("postgres://", "postgresql://", 1), "-c",
                   f"\\copy ({query}) to stdout with csv header"]
    started = time.perf_counter()
    first = None
    size = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        while piece := process.stdout.read1(1 << 20):
            if first is None:
                first = time.perf_counter() - started
            size += len(piece)
    elapsed = time.perf_counter() - started
    assert process.returncode == 0, process.returncode
    return elapsed, first or elapsed, size


async def download(port: int, cookie: str) -> tuple[float, float, int, int]:
    """(seconds, seconds to the first body byte, bytes, rows) of the app's export."""
    connection = await Connection.open(port)
    try:
        started = time.perf_counter()
        status, _headers, body = await connection.stream(
            get(f"/admin/forms/{FORM_ID}/export.csv", {"Cookie": cookie}))
        assert status == 200, status
        first = None
        size = lines = 0
        async for piece in body:
            if first is None:
                first = time.perf_counter() - started
            size += len(piece)
            lines += piece.count(b"\r\n")
        return time.perf_counter() - started, first or 0.0, size, lines - 1
    finally:
        await connection.close()


def measure(engine: str, n: int, rounds: int) -> dict[str, float]:
    url = dataset(engine, n)
    add_official(url)
    ours: list[float] = []
    theirs: list[float] = []
    firsts: list[float] = []
    growth: list[float] = []
    with Server.vnform(url, f"export-vnform-{engine}") as app:
        cookie = sign_in(app.port)
        for r in range(rounds):
            rss, _peak = app.memory()
            app.reset_peak()
            seconds, first, size, rows = asyncio.run(download(app.port, cookie))
            _rss, peak = app.memory()
            assert rows == n, f"{rows} rows exported, {n} expected"
            ours.append(n / seconds)
            firsts.append(first)
            growth.append(peak - rss)
            base_seconds, _first, base_size = run_baseline(engine, url)
            theirs.append(n / base_seconds)
            say(f"bench: {n:,} responses, round {r + 1}: vnform {seconds:.1f} s "
                f"({size / MB:.0f} MB, first byte {first * 1000:.0f} ms, peak memory "
                f"+{(peak - rss) / MB:.1f} MB); command line {base_seconds:.1f} s "
                f"({base_size / MB:.0f} MB)")
    return {"rows_per_s": median(ours), "baseline": median(theirs),
            "first_byte": max(firsts), "growth": max(growth)}


def run(engine: str) -> list[Figure]:
    say(f"bench: CSV export on {engine}")
    small = measure(engine, N_SMALL, 3)
    large = measure(engine, N_LARGE, 2)
    tool = "sqlite3 -csv" if engine == "sqlite" else "psql \\copy ... to stdout csv"
    figures = []
    for n, found in ((N_SMALL, small), (N_LARGE, large)):
        ratio = found["rows_per_s"] / found["baseline"]
        figures.append(Figure(
            "2 export", engine, f"CSV rows/s, {n:,} responses", found["rows_per_s"],
            found["baseline"], "rows/s", f">= {TARGET_RATIO}" if n == N_LARGE else
            "(information)", ratio >= TARGET_RATIO if n == N_LARGE else None, ratio,
            f"baseline: {tool} on the equivalent query; median of rounds"))
        figures.append(Figure(
            "2 export", engine, f"first byte, {n:,} responses", found["first_byte"], None,
            "s", f"< {TARGET_FIRST_BYTE} s", found["first_byte"] < TARGET_FIRST_BYTE,
            note="HTTP request sent to first body byte; worst round"))
        figures.append(Figure(
            "2 export", engine, f"peak RSS growth, {n:,} responses", found["growth"] / MB,
            None, "MB", f"< {TARGET_MEMORY // MB} MB", found["growth"] < TARGET_MEMORY,
            note="server VmHWM after the download minus VmRSS before it; worst round"))
    flat = abs(large["growth"] - small["growth"]) < 10 * MB
    figures.append(Figure(
        "2 export", engine, f"peak RSS growth at {N_LARGE:,} minus at {N_SMALL:,}",
        (large["growth"] - small["growth"]) / MB, None, "MB", "flat (< 10 MB)", flat,
        note="memory does not grow with N"))
    return figures


if __name__ == "__main__":
    run_engines(run, sys.argv[1:] or ENGINES)
