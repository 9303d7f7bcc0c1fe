"""Nothing acknowledged is lost: a burst against a real `vnform serve`, and a crash.

These tests start the server as operators do (a separate process), on SQLite and, with
several workers, on PostgreSQL; they take some seconds each.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx  # the HTTP client of our test extras (Starlette uses it too)
import pytest
from conftest import Server, postgres_connect, postgres_database, postgres_url

from vnform.cli import main

FORM = "/f/gop-y-nhanh"
FIELDS = re.compile(r'name="(csrf_token|_token)" value="([^"]+)"')


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(database_url: str, workers: int = 1) -> Server:
        # One address sends the whole burst here: the per-address limit would refuse it.
        server = Server(database_url, workers, env={"VNFORM_RATE_LIMIT": "0"})
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


async def _burst(url: str, submissions: int, clients: int,
                 stop_after: int | None = None) -> tuple[list[str], list[int]]:
    """Submit the quick form *submissions* times from *clients* at once.

    Returns the one-time tokens of the submissions acknowledged (303), and every other
    status seen (a transport failure counts as 0, a refusal without ``Retry-After`` as
    its status negated).
    """
    acknowledged: list[str] = []
    others: list[int] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(submissions):
        queue.put_nowait(i)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while not queue.empty():
                i = queue.get_nowait()
                if stop_after is not None and len(acknowledged) >= stop_after:
                    return
                http.cookies.clear()
                try:
                    page = await http.get(FORM)
                    fields = dict(FIELDS.findall(page.text))
                    response = await http.post(FORM, data={
                        **fields, "danh_gia": str(1 + i % 5), "gop_y": f"Góp ý số {i}"})
                except httpx.TransportError:
                    others.append(0)
                    continue
                if response.status_code == 303:
                    acknowledged.append(fields["_token"])
                elif "retry-after" in response.headers:
                    others.append(response.status_code)
                else:
                    others.append(-response.status_code)

    await asyncio.gather(*(client() for _ in range(clients)))
    return acknowledged, others


def test_a_burst_loses_nothing_on_sqlite(serve, tmp_path: Path) -> None:
    path = tmp_path / "burst.sqlite3"
    server = serve(f"sqlite://{path}")
    acknowledged, others = asyncio.run(_burst(server.url, 2000, 64))
    server.stop()
    assert [s for s in others if s >= 500 or s == 0] == []
    assert all(s in (429, 503) for s in others)  # any refusal is explicit
    with sqlite3.connect(path) as db:
        stored = {token for (token,) in db.execute("select token from response")}
    assert stored == set(acknowledged)
    assert len(acknowledged) == 2000 - len(others)
    assert main(["tallies", "verify", "--db", f"sqlite://{path}"]) == 0


def test_acknowledged_answers_survive_a_crash(serve, tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    url = f"sqlite://{path}"
    server = serve(url)

    async def burst_then_crash() -> list[str]:
        clients = 32
        task = asyncio.create_task(_burst(server.url, 3000, clients))
        while True:
            await asyncio.sleep(0.05)
            with sqlite3.connect(path) as db:
                # Each client waits for one answer at most: of the responses stored, all
                # but one per client have been acknowledged.
                if db.execute("select count(*) from response").fetchone()[0] >= 200 + clients:
                    break
        server.kill()  # kill -9 in the middle of the burst
        acknowledged, _others = await task
        return acknowledged

    acknowledged = asyncio.run(burst_then_crash())
    assert len(acknowledged) >= 200
    serve(url).stop()  # restart (recovering the journal), then stop cleanly
    with sqlite3.connect(path) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        stored = {token for (token,) in db.execute("select token from response")}
    assert set(acknowledged) <= stored
    assert main(["tallies", "verify", "--db", url]) == 0  # counted with their responses


@pytest.mark.postgres
def test_a_burst_loses_nothing_on_postgres_with_four_workers(serve) -> None:
    with postgres_database() as name:
        server = serve(postgres_url(name), workers=4)
        acknowledged, others = asyncio.run(_burst(server.url, 2000, 64))
        server.stop()
        assert [s for s in others if s >= 500 or s == 0] == []
        assert all(s in (429, 503) for s in others), others  # any refusal is explicit
        with postgres_connect(postgres_url(name)) as db:
            stored = {t for (t,) in db.execute("select token from response").fetchall()}
        assert stored == set(acknowledged)
        assert len(acknowledged) == 2000 - len(others)
        assert main(["tallies", "verify", "--db", postgres_url(name)]) == 0


@pytest.mark.postgres
def test_two_servers_sharing_one_postgres_database_lose_nothing(serve) -> None:
    with postgres_database() as name:
        first = serve(postgres_url(name))
        second = serve(postgres_url(name))  # another machine, in production

        async def both() -> list[tuple[list[str], list[int]]]:
            return list(await asyncio.gather(_burst(first.url, 1000, 32),
                                             _burst(second.url, 1000, 32)))

        (tokens_a, others_a), (tokens_b, others_b) = asyncio.run(both())
        first.stop()
        second.stop()
        others = others_a + others_b
        assert [s for s in others if s >= 500 or s == 0] == []
        assert all(s in (429, 503) for s in others)
        with postgres_connect(postgres_url(name)) as db:
            stored = {t for (t,) in db.execute("select token from response").fetchall()}
        assert stored == set(tokens_a) | set(tokens_b)
        assert len(stored) == 2000 - len(others)
        assert main(["tallies", "verify", "--db", postgres_url(name)]) == 0


def test_one_token_posted_ten_times_at_once_stores_one_response(serve, tmp_path: Path) -> None:
    path = tmp_path / "same.sqlite3"
    server = serve(f"sqlite://{path}")

    async def ten_at_once() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            page = await http.get(FORM)
            fields = dict(FIELDS.findall(page.text))
            data = {**fields, "danh_gia": "4", "gop_y": "Một lần thôi"}
            return list(await asyncio.gather(*(http.post(FORM, data=data)
                                               for _ in range(10))))

    responses = asyncio.run(ten_at_once())
    server.stop()
    assert {r.status_code for r in responses} == {303}
    assert len({r.headers["location"] for r in responses}) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from response").fetchone() == (1,)
        assert db.execute("select count(*) from answer").fetchone() == (2,)
