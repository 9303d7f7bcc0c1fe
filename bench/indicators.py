"""Benchmark 3: indicators of the bench form, against one hand-written SQL GROUP BY.

vnform computes the form's indicator records for the period holding its responses
(`reports.indicator_records`, as `vnform indicators`, the API, open data and the
dashboards do): every dimension, pooled scale, composite and case count, summed from
the tallies. The baseline is one hand-written statement over the raw answers returning
the numbers those records are made from (answers per indicator question and value in
the period, and the period's responses), run on the same database; the two are checked
equal before timing. Also the number of SQL statements vnform sends, at BENCH_SMALL and
BENCH_RESPONSES responses. Alternating rounds. Targets: under 0.2 s, and at least 50
times quicker than the baseline; statements independent of N.

    python bench/indicators.py [sqlite|postgres ...]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ENGINES,
    FORM_ID,
    FORMS,
    N_LARGE,
    N_SMALL,
    Figure,
    QueryCounter,
    dataset,
    median,
    run_engines,
    say,
)

TARGET = 0.2  # seconds
QUICKER = 50  # times the hand-written GROUP BY
TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # vnform's default VNFORM_TIMEZONE
MINIMUM = 30  # vnform's default VNFORM_INDICATOR_MIN_N


def baseline_sql(postgres: bool, keys: list[str]) -> str:
    """Answers per indicator question and value in the period, and the period's
    responses (the row with NULLs); parameters: form id, start, end."""
    form, start, end = ("$1", "$2", "$3") if postgres else ("?1", "?2", "?3")
    window = f"r.form_id = {form} AND r.submitted_at >= {start} AND r.submitted_at < {end}"
    questions = ", ".join(f"'{key}'" for key in keys)
    return (
        "SELECT a.question, a.value, COUNT(*) FROM answer a "
        f"JOIN response r ON r.id = a.response_id WHERE {window} AND a.form_id = {form} "
        f"AND a.question IN ({questions}) AND a.value IS NOT NULL "
        "GROUP BY a.question, a.value "
        f"UNION ALL SELECT NULL, NULL, COUNT(*) FROM response r WHERE {window}"
    )


async def period_of_data(conn: Any) -> Any:
    """The quarter (else the year) that holds every response of the bench form."""
    from vnform.indicators import parse_period, period_of

    _, rows = await conn.execute_query(
        f"SELECT MIN(submitted_at), MAX(submitted_at) FROM response WHERE form_id = '{FORM_ID}'")
    first, last = (_moment(v).astimezone(TZ).date() for v in rows[0])
    quarter = period_of(first, "quarter")
    if quarter == period_of(last, "quarter"):
        return quarter
    return parse_period(str(last.year))


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value))


async def measure(url: str, rounds: int) -> dict[str, Any]:
    from tortoise import connections

    from vnform import reports, store
    from vnform.forms.registry import Registry
    from vnform.indicators import dimensions

    spec = Registry.load(FORMS).forms[FORM_ID]
    keys = sorted(k for d in dimensions(spec) for k in d.keys)
    async with store.opened(url, must_exist=True):
        conn = connections.get("default")
        postgres = conn.capabilities.dialect == "postgres"
        period = await period_of_data(conn)
        start, end = period.window(TZ)
        sql = baseline_sql(postgres, keys)
        params: list[Any] = [spec.id, start, end]

        async def ours() -> list[dict[str, object]]:
            return await reports.indicator_records([spec], period, MINIMUM)

        async def theirs() -> list[Any]:
            return list((await conn.execute_query(sql, params))[1])

        # The same numbers: the counts vnform's records are made from.
        rows = await theirs()
        expected = {(q, v): n for q, v, n in rows if q is not None}
        responses = next(n for q, _v, n in rows if q is None)
        counts = (await store.period_counts({spec.id: keys}, period.first, period.after)
                  ).get(spec.id, {})
        got = {(q, v): n for q, by_value in counts.items() if q in keys
               for v, n in by_value.items() if v != ""}
        assert got == expected, "vnform and the hand-written SQL disagree"
        assert counts.get("@responses", {}).get("", 0) == responses
        with QueryCounter() as counter:
            records = await ours()
        assert records, "no indicator records"
        times: dict[str, list[float]] = {"ours": [], "theirs": []}
        for r in range(rounds):
            for name, call in (("ours", ours), ("theirs", theirs)):
                started = time.perf_counter()
                await call()
                times[name].append(time.perf_counter() - started)
            say(f"bench: round {r + 1}: vnform {times['ours'][-1]:.2f} s, "
                f"hand-written SQL {times['theirs'][-1]:.2f} s")
    return {"ours": median(times["ours"]), "theirs": median(times["theirs"]),
            "queries": counter.count, "statements": counter.statements,
            "period": period.label, "responses": responses, "records": len(records)}


def run(engine: str) -> list[Figure]:
    say(f"bench: indicators on {engine}")
    found = {}
    for n, rounds in ((N_SMALL, 5), (N_LARGE, 3)):
        url = dataset(engine, n)
        found[n] = asyncio.run(measure(url, rounds))
        say(f"bench: {n:,} responses: {found[n]['queries']} statements: "
            + " | ".join(found[n]["statements"]))
    figures = []
    for n in (N_SMALL, N_LARGE):
        f = found[n]
        ratio = f["theirs"] / f["ours"]
        large = n == N_LARGE
        figures.append(Figure(
            "3 indicators", engine, f"indicator records, {n:,} responses", f["ours"],
            f["theirs"], "s", f"< {TARGET} s, >= {QUICKER}x" if large else "(information)",
            f["ours"] < TARGET and ratio >= QUICKER if large else None, ratio,
            f"period {f['period']} ({f['responses']:,} responses, {f['records']} records); "
            f"ratio is the baseline's time / vnform's (how many times quicker); median "
            f"of rounds"))
    small, large = found[N_SMALL]["queries"], found[N_LARGE]["queries"]
    figures.append(Figure(
        "3 indicators", engine, f"SQL statements, {N_LARGE:,} responses", large, small,
        "statements", "equal", small == large,
        note=f"statements: counted at tortoise's database client; baseline column: the "
             f"count at {N_SMALL:,} responses"))
    return figures


if __name__ == "__main__":
    run_engines(run, sys.argv[1:] or ENGINES)
