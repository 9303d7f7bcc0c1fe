"""Benchmark 1: submissions per second through the real app, against a bare endpoint.

`vnform serve` (one worker) takes the whole path of a submission: parse the form,
check the CSRF and one-time tokens, validate the 20 answers, store the response and its
answer rows in one transaction, redirect. The baseline is a bare Starlette endpoint
(bench/bare.py) under the same uvicorn settings that stores the same request body with
one INSERT and COMMIT in the same database. A second baseline is vnform itself with the
tallies switched off (bench/without_tallies.py, its own database): what counting each
submission costs. All receive byte-identical requests (each with its own session,
fetched beforehand from the app's form page), in alternating rounds. The per-address
limit on submissions is off (VNFORM_RATE_LIMIT=0): the whole load comes from one
address. Targets: ratio to the bare endpoint >= 0.5; with tallies, at least 90% of the
submissions/s without them.

    python bench/submit.py [sqlite|postgres ...]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    CONCURRENCY,
    ENGINES,
    FIELDS,
    FORM_ID,
    FORMS,
    QUICK,
    SEED,
    Figure,
    Server,
    client_ceiling,
    fresh_database,
    get,
    load,
    median,
    post,
    run_engines,
    say,
    session_cookie,
    wrk,
)

ROUNDS = 5
PER_ROUND = 500 if QUICK else 2000
CEILING_REQUESTS = 5000 if QUICK else 20000
WARM_UP = 50
TARGET = 0.5
#: Issue 15: server CPU per submission.
CPU_TARGET_MS = 1.5
#: Submissions/s with tallies, at least this share of those without (issue: "must not
#: fall by more than 10% because of the counts").
COUNTING = 0.9


def bodies(count: int) -> list[list[tuple[str, str]]]:
    """The answers of *count* citizens, as their browsers post them."""
    from vnform import demo
    from vnform.forms.registry import Registry

    spec = Registry.load(FORMS).forms[FORM_ID]
    posted = []
    for generated in demo.generate(spec, count, seed=SEED):
        # Citizens who give personal data agree to the form's notice first.
        fields: list[tuple[str, str]] = [("consent", "yes")] if spec.personal_questions else []
        for key, value in generated.answers.items():
            fields.extend((key, v) for v in (value if isinstance(value, list) else [value]))
        posted.append(fields)
    return posted


async def sessions(port: int, count: int) -> list[tuple[str, str, str]]:
    """(cookie, csrf token, form token) of *count* fresh visits to the form page."""
    found: list[tuple[str, str, str]] = []

    def keep(status: int, headers: dict[str, str], body: bytes) -> None:
        fields = dict(FIELDS.findall(body))
        found.append((session_cookie(headers), fields[b"csrf_token"].decode(),
                      fields[b"_token"].decode()))

    done = await load(port, [get(f"/f/{FORM_ID}")] * count, keep=keep)
    assert done.statuses == {200: count}, done.statuses
    return found


def run(engine: str) -> list[Figure]:
    say(f"bench: submissions on {engine}")
    url = fresh_database(engine, "submit")
    plain_url = fresh_database(engine, "submit_without_tallies")
    total = WARM_UP + ROUNDS * PER_ROUND
    plain_args = ["bench/without_tallies.py", "--forms", str(FORMS), "--db", plain_url]
    if engine != "sqlite":
        plain_args.append("--migrate")
    with Server.vnform(url, f"submit-vnform-{engine}") as app, \
            Server(plain_args, f"submit-without-tallies-{engine}",
                   env={"VNFORM_RATE_LIMIT": "0"}) as plain, \
            Server(["bench/bare.py", "submit", "--db", url], f"submit-bare-{engine}") as bare:
        servers = (app, plain, bare)
        answers = bodies(total)
        requests: dict[str, list[bytes]] = {}
        for server in (app, plain):  # sessions of each app's own form page
            visits = asyncio.run(sessions(server.port, total))
            requests[server.name] = [
                post(f"/f/{FORM_ID}", urlencode(
                    [*fields, ("csrf_token", csrf), ("_token", token)]).encode(),
                    {"Cookie": cookie})
                for fields, (cookie, csrf, token) in zip(answers, visits, strict=True)]
        requests[bare.name] = requests[app.name]
        for server in servers:
            asyncio.run(load(server.port, requests[server.name][:WARM_UP], concurrency=4))
        rates: dict[str, list[float]] = {server.name: [] for server in servers}
        cpu: dict[str, list[float]] = {server.name: [] for server in servers}
        for r in range(ROUNDS):
            start = WARM_UP + r * PER_ROUND
            for server in servers:
                batch = requests[server.name][start:start + PER_ROUND]
                before = server.cpu_seconds()
                done = wrk(server.port, batch)
                cpu[server.name].append((server.cpu_seconds() - before) / len(batch) * 1000)
                assert done.statuses == {303: len(batch)}, (server.name, done.statuses)
                rates[server.name].append(done.rate)
            say(f"bench: round {r + 1}: " + ", ".join(
                f"{server.name} {rates[server.name][-1]:.0f}/s "
                f"({cpu[server.name][-1]:.2f} ms CPU each)" for server in servers))
        ceiling = client_ceiling(bare.port, CEILING_REQUESTS)
    for database in (url, plain_url):
        stored = _count(database)
        assert stored == total, f"{stored} responses stored, {total} submitted"
    figure, baseline = median(rates[app.name]), median(rates[bare.name])
    without = median(rates[plain.name])
    ratio, counted = figure / baseline, figure / without
    ours_cpu, theirs_cpu = median(cpu[app.name]), median(cpu[bare.name])
    plain_cpu = median(cpu[plain.name])
    rounds = f"{ROUNDS} alternating rounds of {PER_ROUND}, {CONCURRENCY} connections " \
             "(wrk); median of rounds"
    return [Figure("1 submissions", engine, "submissions/s (one worker, 20 questions)",
                   figure, baseline, "req/s", f">= {TARGET}", ratio >= TARGET, ratio, rounds),
            Figure("1 submissions", engine, "submissions/s with tallies vs without them",
                   figure, without, "req/s", f">= {COUNTING}", counted >= COUNTING, counted,
                   "baseline: vnform with the tallies switched off "
                   "(bench/without_tallies.py); " + rounds),
            Figure("1 submissions", engine, "server CPU per submission", ours_cpu, theirs_cpu,
                   "ms", f"< {CPU_TARGET_MS}", ours_cpu < CPU_TARGET_MS, theirs_cpu / ours_cpu,
                   "user+system time of the server process (not of PostgreSQL's)"),
            Figure("1 submissions", engine, "load client ceiling (wrk, GET /healthz of the "
                   "bare server)", ceiling, None, "req/s", "(information)", None, None,
                   "what the load client and a trivial endpoint reach together on this "
                   "machine: far above every figure, the client never set the pace"),
            Figure("1 submissions", engine, "server CPU per submission, tallies off",
                   plain_cpu, ours_cpu, "ms", "(information)", None, plain_cpu / ours_cpu,
                   "baseline column: with tallies; what counting costs is the difference")]


def _count(url: str) -> int:
    from common import count_responses

    return count_responses(url)


if __name__ == "__main__":
    run_engines(run, sys.argv[1:] or ENGINES)
