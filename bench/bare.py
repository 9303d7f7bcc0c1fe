"""The baselines' server: a bare Starlette app under the uvicorn settings `vnform serve` uses.

    python bench/bare.py submit --db URL --port P   # POST /f/bench-20: one INSERT + COMMIT
    python bench/bare.py page --html FILE --port P  # GET /f/bench-20: the same HTML bytes

``submit`` stores each request body as it came, in one transaction per request (an
``asyncio.Lock`` keeps two requests out of one transaction, as vnform's own connection
lock does), on the same database as the app: SQLite with vnform's PRAGMAs (WAL,
``synchronous=FULL``, busy timeout) through aiosqlite, or PostgreSQL through an asyncpg
pool of vnform's default size. It answers 303 to the thank-you page, as vnform does.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

TABLE = "bench_raw"
THANKS = "/f/bench-20/thanks"


def submit_app(database_url: str) -> Starlette:
    state: dict[str, Any] = {}
    lock = asyncio.Lock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if database_url.startswith("sqlite://"):
            import aiosqlite

            db = await aiosqlite.connect(database_url.removeprefix("sqlite://"),
                                         isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000",
                           "foreign_keys=ON"):
                await db.execute(f"PRAGMA {pragma}")
            await db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} "
                             "(id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            state["sqlite"] = db
            yield
            await db.close()
        else:
            import asyncpg

            pool = await asyncpg.create_pool(database_url, min_size=1, max_size=5)
            await pool.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} "
                               "(id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
            state["pool"] = pool
            yield
            await pool.close()

    async def store(request: Request) -> Response:
        body = (await request.body()).decode()
        if "sqlite" in state:
            db = state["sqlite"]
            async with lock:
                await db.execute("BEGIN")
                await db.execute(f"INSERT INTO {TABLE} (body) VALUES (?)", (body,))
                await db.execute("COMMIT")
        else:
            await state["pool"].execute(f"INSERT INTO {TABLE} (body) VALUES ($1)", body)
        return RedirectResponse(THANKS, status_code=303)

    return Starlette(routes=[Route("/f/bench-20", store, methods=["POST"]),
                             Route("/healthz", _health)], lifespan=lifespan)


def page_app(html: bytes) -> Starlette:
    async def page(request: Request) -> Response:
        return HTMLResponse(html)

    return Starlette(routes=[Route("/f/bench-20", page), Route("/healthz", _health)])


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["submit", "page"])
    parser.add_argument("--db")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = submit_app(args.db) if args.kind == "submit" else page_app(args.html.read_bytes())
    # The options of `vnform serve` with one worker and no proxy (vnform/cli/server.py).
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info",
                proxy_headers=False, forwarded_allow_ips=None, server_header=False)


if __name__ == "__main__":
    main()
