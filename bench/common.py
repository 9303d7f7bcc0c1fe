"""Shared pieces of the benchmarks: sizes, data sets, servers, a small HTTP client,
query counting, timing and results.

Sizes come from the environment: ``BENCH_RESPONSES`` (default 1,000,000; 20,000 with
``BENCH_QUICK=1``) and ``BENCH_SMALL`` (default a tenth of it), the second size used to
show that memory and query counts do not grow with N; with ``BENCH_BIG=1``, the results
page is also measured at ``BENCH_BIG_RESPONSES`` (default 10,000,000) on PostgreSQL.
``BENCH_ENGINES`` (default ``sqlite,postgres``) picks the databases; PostgreSQL is reached at
``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/test``), where
each benchmark creates its own ``vnform_bench_*`` databases and drops them afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = BENCH / "var"
FORMS = BENCH / "forms"
FORM_ID = "bench-20"
PYTHON = sys.executable
SECRET = "bench-secret-key-" + "k" * 40
OFFICIAL = "bench@example.gov.vn"
PASSWORD = "Chạy thử hiệu năng mỗi tối thứ Sáu lúc 9 giờ"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


QUICK = _flag("BENCH_QUICK")
N_LARGE = int(os.environ.get("BENCH_RESPONSES") or (20_000 if QUICK else 1_000_000))
N_SMALL = int(os.environ.get("BENCH_SMALL") or max(1, N_LARGE // 10))
#: BENCH_BIG=1: also the results page at N_BIG responses (PostgreSQL only).
BIG = _flag("BENCH_BIG")
N_BIG = int(os.environ.get("BENCH_BIG_RESPONSES") or 10_000_000)
SEED = int(os.environ.get("BENCH_SEED") or 20261127)
DAYS = float(os.environ.get("BENCH_DAYS") or 30)
ENGINES = [e.strip() for e in os.environ.get("BENCH_ENGINES", "sqlite,postgres").split(",")
           if e.strip()]
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY") or 16)
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
    "VNFORM_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
KEEP = _flag("BENCH_KEEP")  # keep the PostgreSQL databases after the run


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Results ---------------------------------------------------------------------------

@dataclass
class Figure:
    """One line of a results table: our figure against the baseline measured beside it."""

    bench: str
    engine: str
    measure: str
    figure: float
    baseline: float | None
    unit: str
    target: str
    met: bool | None
    ratio: float | None = None
    note: str = ""

    def line(self) -> str:
        base = "" if self.baseline is None else f"  baseline {fmt(self.baseline)} {self.unit}"
        ratio = "" if self.ratio is None else f"  ratio {self.ratio:.2f}"
        verdict = "met" if self.met else "NOT MET"
        met = "" if self.met is None else f"  target {self.target}: {verdict}"
        return f"[{self.bench} {self.engine}] {self.measure}: {fmt(self.figure)} {self.unit}" \
               f"{base}{ratio}{met}"


def fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


RESULTS = VAR / ("results-quick.json" if QUICK else "results.json")


def run_engines(run: Callable[[str], list[Figure]], engines: list[str]) -> None:
    """A benchmark script's own run: *run* on each of *engines*, each engine's figures
    recorded as they come, the PostgreSQL databases dropped at the end."""
    try:
        for engine in engines:
            record(run(engine))
    finally:
        drop_bench_databases()


def record(figures: list[Figure]) -> None:
    """Print *figures* and keep them (by benchmark and engine) for bench/report.py."""
    for f in figures:
        print(f.line(), flush=True)
    VAR.mkdir(parents=True, exist_ok=True)
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for key in {(f.bench, f.engine) for f in figures}:
        kept[f"{key[0]}/{key[1]}"] = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "sizes": {"large": N_LARGE, "small": N_SMALL},
            "figures": [asdict(f) for f in figures if (f.bench, f.engine) == key],
        }
    RESULTS.write_text(json.dumps(kept, indent=2, ensure_ascii=False))


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- Databases --------------------------------------------------------------------------

def postgres_url(database: str) -> str:
    return urlunsplit(urlsplit(POSTGRES_SERVER)._replace(path=f"/{database}"))


def postgres_admin() -> Any:
    import psycopg

    return psycopg.connect(POSTGRES_SERVER.replace("postgres://", "postgresql://", 1),
                           autocommit=True, connect_timeout=5)


def postgres_exists(name: str) -> bool:
    with postgres_admin() as admin:
        return admin.execute("select 1 from pg_database where datname = %s",
                             (name,)).fetchone() is not None


def postgres_create(name: str, template: str | None = None) -> None:
    with postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{copy}')


def postgres_drop(name: str) -> None:
    with postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_bench_databases() -> None:
    """Drop every ``vnform_bench_*`` database (unless BENCH_KEEP=1)."""
    if KEEP or "postgres" not in ENGINES:
        return
    with postgres_admin() as admin:
        names = [n for (n,) in admin.execute(
            "select datname from pg_database where datname like 'vnform_bench_%'")]
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            say(f"bench: dropped PostgreSQL database {name}")


def fresh_database(engine: str, name: str) -> str:
    """An empty, migrated database for *engine*; returns its URL."""
    if engine == "sqlite":
        path = VAR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite://{path}"
    else:
        postgres_create(f"vnform_bench_{name}")
        url = postgres_url(f"vnform_bench_{name}")
    vnform("migrate", "--db", url)
    return url


def count_responses(url: str) -> int:
    sql = "select count(*) from response where form_id = 'bench-20'"
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if not Path(path).exists():
            return -1
        with contextlib.closing(sqlite3.connect(path)) as db:
            try:
                return int(db.execute(sql).fetchone()[0])
            except sqlite3.OperationalError:
                return -1
    name = urlsplit(url).path.lstrip("/")
    if not postgres_exists(name):
        return -1
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        try:
            return int(db.execute(sql).fetchone()[0])
        except psycopg.Error:
            return -1


def dataset(engine: str, n: int) -> str:
    """A database holding exactly *n* generated responses to the bench form; returns its
    URL. SQLite files are kept in bench/var between runs; a larger set starts as a copy
    of the largest smaller one, then `vnform demo` adds the rest. The PostgreSQL set of
    BENCH_BIG is the large one copied over in SQL (:func:`_replicated`)."""
    url = _dataset_url(engine, n)
    if count_responses(url) == n:
        say(f"bench: reusing {n:,} responses at {url}")
        return url
    if engine == "postgres" and n > N_LARGE and n % N_LARGE == 0:
        return _replicated(dataset(engine, N_LARGE), url, n // N_LARGE)
    # Only the small set of this run seeds the large one, so that a set's content never
    # depends on what earlier runs left in bench/var.
    smaller = [m for m in _dataset_sizes(engine) if m == N_SMALL < n]
    start = 0
    for m in smaller:
        source = _dataset_url(engine, m)
        if count_responses(source) == m:
            say(f"bench: copying the {m:,}-response set to start the {n:,}-response one")
            _copy_dataset(engine, source, url)
            start = m
            break
    if start == 0:
        url = fresh_database(engine, f"data_{n}")
    started = time.monotonic()
    vnform("demo", "--form", FORM_ID, "--responses", str(n - start), "--seed",
           str(SEED + start), "--days", str(DAYS), "--batch", "5000", "--db", url,
           "--forms", str(FORMS), quiet=False)
    say(f"bench: {n - start:,} responses generated in {time.monotonic() - started:.0f} s")
    if engine == "sqlite":
        # Fresh statistics for the query planner, as on a database in service.
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite://"))) as db:
            db.execute("PRAGMA optimize")
    else:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                             autocommit=True) as db:
            db.execute("VACUUM ANALYZE")
    return url


def _replicated(source: str, target: str, times: int) -> str:
    """The PostgreSQL set at *source*, *times* over (the 10,000,000-response set from
    the 1,000,000 one, in SQL: `vnform demo` would take over an hour on two cores).
    Each copy of a response gets a new id and token, and keeps its time, language,
    answers and answer sheet: every counter is the source's times *times*, exactly."""
    import psycopg

    started = time.monotonic()
    postgres_drop(urlsplit(target).path.lstrip("/"))
    _copy_dataset("postgres", source, target)
    with psycopg.connect(target.replace("postgres://", "postgresql://", 1),
                         autocommit=True) as db:
        def columns(table: str, skip: set[str]) -> list[str]:
            return [name for (name,) in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "ORDER BY ordinal_position", [table]) if name not in skip]

        step = int(db.execute("SELECT MAX(id) FROM response").fetchone()[0])
        response = columns("response", {"id", "token"})
        answer = columns("answer", {"id", "response_id"})
        sheet = columns("answer_sheet", {"response_id"})
        # Rows whose references are copied with them: no trigger needs to check each.
        db.execute("SET session_replication_role = replica")
        for copy in range(1, times):
            with db.transaction():
                db.execute(
                    f"INSERT INTO response (id, token, {', '.join(response)}) "
                    f"SELECT id + {copy * step}, token || '.{copy}', "
                    + ", ".join(f"{c} || '.{copy}'" if c == "case_code" else c
                                for c in response) + " "
                    f"FROM response WHERE id <= {step}")
                db.execute(
                    f"INSERT INTO answer (response_id, {', '.join(answer)}) "
                    f"SELECT response_id + {copy * step}, {', '.join(answer)} FROM answer "
                    f"WHERE response_id <= {step}")
                db.execute(
                    f"INSERT INTO answer_sheet (response_id, {', '.join(sheet)}) "
                    f"SELECT response_id + {copy * step}, {', '.join(sheet)} "
                    f"FROM answer_sheet WHERE response_id <= {step}")
            say(f"bench: copy {copy + 1} of {times} in "
                f"{time.monotonic() - started:.0f} s")
        db.execute(f"UPDATE tally SET n = n * {times}")
        db.execute(f"UPDATE form_tally SET responses = responses * {times}, "
                   "changes = changes + 1 WHERE responses > 0")
        db.execute("SELECT setval('response_id_seq', (SELECT MAX(id) FROM response))")
        db.execute("VACUUM ANALYZE")
    say(f"bench: {times} copies of {source} made in {time.monotonic() - started:.0f} s")
    return target


def _dataset_url(engine: str, n: int) -> str:
    if engine == "sqlite":
        return f"sqlite://{VAR / f'data_{n}.sqlite3'}"
    return postgres_url(f"vnform_bench_data_{n}")


def _dataset_sizes(engine: str) -> list[int]:
    if engine == "sqlite":
        return [int(m.group(1)) for p in VAR.glob("data_*.sqlite3")
                if (m := re.fullmatch(r"data_(\d+)\.sqlite3", p.name))]
    with postgres_admin() as admin:
        return [int(name.rsplit("_", 1)[1]) for (name,) in admin.execute(
            "select datname from pg_database where datname ~ '^vnform_bench_data_[0-9]+$'")]


def _copy_dataset(engine: str, source: str, target: str) -> None:
    if engine == "sqlite":
        src, dst = source.removeprefix("sqlite://"), target.removeprefix("sqlite://")
        with contextlib.closing(sqlite3.connect(src)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm"):
            Path(f"{dst}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(src, dst)
    else:
        postgres_create(urlsplit(target).path.lstrip("/"),
                        template=urlsplit(source).path.lstrip("/"))


def vnform(*args: str, stdin: str | None = None, quiet: bool = True,
           check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the `vnform` command as an operator would."""
    done = subprocess.run([PYTHON, "-m", "vnform", *args], cwd=ROOT, input=stdin, text=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE if quiet else None,
                          env={**os.environ, "VNFORM_SECRET_KEY": SECRET})
    if check and done.returncode != 0:
        raise RuntimeError(f"vnform {' '.join(args)} failed: {done.stderr}")
    return done


def add_official(url: str) -> None:
    """The benchmark's official (an administrator), once per database."""
    done = vnform("user", "add", OFFICIAL, "--role", "admin", "--password-stdin",
                  "--db", url, stdin=PASSWORD + "\n", check=False)
    if done.returncode != 0 and "exists already" not in (done.stderr or ""):
        raise RuntimeError(f"cannot add the official: {done.stderr}")


# --- Servers ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server in its own process (and process group), stopped by its own id."""

    def __init__(self, args: list[str], name: str, env: dict[str, str] | None = None,
                 ready_path: str = "/healthz") -> None:
        self.port = free_port()
        self.name = name
        VAR.mkdir(parents=True, exist_ok=True)
        self.log = (VAR / f"{name}.log").open("wb")
        self.process = subprocess.Popen(
            [PYTHON, *args, "--port", str(self.port)], cwd=ROOT,
            env={**os.environ, "VNFORM_SECRET_KEY": SECRET, **(env or {})},
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(ready_path)

    @classmethod
    def vnform(cls, url: str, name: str = "vnform") -> Server:
        """`vnform serve`, one worker, serving the bench forms from *url*."""
        args = ["-m", "vnform", "serve", "--forms", str(FORMS), "--db", url]
        if not url.startswith("sqlite://"):
            args.append("--migrate")
        # The whole load comes from one address: no per-address limit on submissions. The
        # daily purge would run beside the first measured requests: `vnform purge` runs it.
        return cls(args, name, env={"VNFORM_RATE_LIMIT": "0", "VNFORM_DAILY_JOBS": "false"})

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait(self, path: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log.name}")
            try:
                status, _h, _b = asyncio.run(fetch(self.port, get(path)))
                if status == 200:
                    return
            except (OSError, EOFError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not start: see {self.log.name}")

    def memory(self) -> tuple[int, int]:
        """(current RSS, peak RSS) of the server process, in bytes."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        return int(values["VmRSS"]) * 1024, int(values["VmHWM"]) * 1024

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_peak(self) -> None:
        """Reset the peak RSS to the current RSS (Linux: ``clear_refs`` with 5)."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def servers(*starters: Callable[[], Server]) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for start in starters:
            started.append(start())
        yield started
    finally:
        for server in started:
            server.stop()


# --- A small HTTP/1.1 client ------------------------------------------------------------
# Raw asyncio streams with keep-alive: the load generator shares two cores with the
# server, so it must cost as little as possible, and the same for both sides.

def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


def post(path: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


class Connection:
    """One keep-alive connection: send a request, read its whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(raw)
        status, headers = await self._head()
        chunks = [piece async for piece in self._body(headers)]
        return status, headers, b"".join(chunks)

    async def stream(self, raw: bytes) -> tuple[int, dict[str, str], AsyncIterator[bytes]]:
        self.writer.write(raw)
        status, headers = await self._head()
        return status, headers, self._body(headers)

    async def _head(self) -> tuple[int, dict[str, str]]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                value = value.strip()
                # Several Set-Cookie headers: keep them all, newline-separated.
                headers[name] = f"{headers[name]}\n{value}" if name in headers else value
        return status, headers

    async def _body(self, headers: dict[str, str]) -> AsyncIterator[bytes]:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    return
                yield await self.reader.readexactly(size)
                await self.reader.readexactly(2)
        length = int(headers.get("content-length", "0"))
        while length > 0:
            piece = await self.reader.read(min(length, 1 << 20))
            if not piece:
                raise ConnectionError("connection closed mid-body")
            length -= len(piece)
            yield piece

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


async def fetch(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    connection = await Connection.open(port)
    try:
        return await connection.request(raw)
    finally:
        await connection.close()


@dataclass
class Load:
    """What a burst of requests did: elapsed seconds and the statuses seen."""

    seconds: float
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.count / self.seconds


async def load(port: int, requests: list[bytes], concurrency: int = CONCURRENCY,
               keep: Callable[[int, dict[str, str], bytes], None] | None = None) -> Load:
    """Send *requests* over *concurrency* keep-alive connections, as fast as answered."""
    connections = [await Connection.open(port) for _ in range(concurrency)]
    queue = list(reversed(requests))
    statuses: dict[int, int] = {}

    async def worker(connection: Connection) -> None:
        while queue:
            status, headers, body = await connection.request(queue.pop())
            statuses[status] = statuses.get(status, 0) + 1
            if keep is not None:
                keep(status, headers, body)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    seconds = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    return Load(seconds, statuses)


def session_cookie(headers: dict[str, str]) -> str:
    """The ``name=value`` of the session cookie a response set."""
    for line in headers.get("set-cookie", "").split("\n"):
        if line.startswith("vnform_session="):
            return line.split(";", 1)[0]
    raise ValueError("no session cookie in the response")


FIELDS = re.compile(rb'name="(csrf_token|_token)" value="([^"]+)"')


def sign_in(port: int) -> str:
    """Sign the benchmark's official in; returns the Cookie header value."""

    async def run() -> str:
        connection = await Connection.open(port)
        try:
            status, headers, body = await connection.request(get("/admin/login"))
            cookie = session_cookie(headers)
            token = dict(FIELDS.findall(body))[b"csrf_token"].decode()
            from urllib.parse import urlencode

            form = urlencode({"csrf_token": token, "email": OFFICIAL, "password": PASSWORD})
            status, headers, _ = await connection.request(
                post("/admin/login", form.encode(), {"Cookie": cookie}))
            if status != 303:
                raise RuntimeError(f"sign-in failed with {status}")
            return session_cookie(headers)
        finally:
            await connection.close()

    return asyncio.run(run())


# --- wrk, the load client of the throughput benchmarks ----------------------------------
# A C client (Debian's wrk, installed by `make bench`) costs the shared cores far less per
# request than the Python one above, so that the servers, not the client, set the pace.
# Its own ceiling is measured against a trivial endpoint beside the figures.

WRK_SCRIPT = BENCH / "wrk_load.lua"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(port: int, requests: list[bytes], concurrency: int = CONCURRENCY) -> Load:
    """Send each of *requests* once over *concurrency* keep-alive connections with wrk;
    the time runs from the first sent to the last answered."""
    if not wrk_available():
        raise RuntimeError("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    VAR.mkdir(parents=True, exist_ok=True)
    batch = VAR / f"wrk-{port}.requests"
    with batch.open("wb") as out:
        for raw in requests:
            out.write(b"%d\n" % len(raw) + raw)
    # Long enough for the slowest server; stopped as soon as all are answered.
    longest = 60 + len(requests) // 50
    process = subprocess.Popen(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{longest}s", "--timeout", "30s",
         "-s", str(WRK_SCRIPT),
         f"http://127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "WRK_REQUESTS": str(batch)})
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("vnform-wrk: done"):
            process.send_signal(signal.SIGINT)  # wrk then prints its summary and done()
    process.wait(timeout=30)
    batch.unlink(missing_ok=True)
    seconds, statuses = -1.0, {}
    for line in lines:
        if line.startswith("vnform-wrk: seconds "):
            seconds = float(line.split()[-1])
        elif line.startswith("vnform-wrk: statuses"):
            statuses = {int(code): int(count) for code, _, count in
                        (item.partition(":") for item in line.split()[2:])}
    if seconds <= 0:
        raise RuntimeError("wrk did not finish its requests:\n" + "".join(lines[-20:]))
    return Load(seconds, statuses)


def client_ceiling(port: int, count: int) -> float:
    """Requests/s wrk sends to a trivial endpoint (*port*'s /healthz): the load client's
    own ceiling on this machine, to read beside the figures it measured."""
    return wrk(port, [get("/healthz")] * count).rate


# --- Counting SQL statements ------------------------------------------------------------

class QueryCounter:
    """Counts the statements sent through tortoise's database clients (every execute
    method of every client class, transactions included) while active."""

    METHODS = ("execute_query", "execute_query_dict", "execute_many", "execute_insert",
               "execute_script")

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []
        self.seconds: list[float] = []
        self._saved: list[tuple[type, str, Any]] = []

    def __enter__(self) -> QueryCounter:
        from tortoise.backends.asyncpg import client as asyncpg_client
        from tortoise.backends.sqlite import client as sqlite_client

        from vnform.store import reading

        # Officials' reads go through their own connections, past tortoise's clients.
        original_run = reading._run
        counter = self

        async def counted_run(client: Any, raw: Any, query: str, *args: Any) -> Any:
            counter.count += 1
            counter.statements.append(" ".join(str(query).split())[:300])
            started = time.perf_counter()
            try:
                return await original_run(client, raw, query, *args)
            finally:
                counter.seconds.append(time.perf_counter() - started)

        self._saved.append((reading, "_run", original_run))  # type: ignore[arg-type]
        reading._run = counted_run  # type: ignore[assignment]

        classes = {cls for module in (sqlite_client, asyncpg_client)
                   for cls in vars(module).values()
                   if isinstance(cls, type) and cls.__module__ == module.__name__}
        for cls in classes:
            for name in self.METHODS:
                if name in vars(cls):
                    self._patch(cls, name)
        return self

    def _patch(self, cls: type, name: str) -> None:
        original = vars(cls)[name]
        counter = self

        async def counted(client: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            counter.count += 1
            counter.statements.append(" ".join(str(query).split())[:300])
            started = time.perf_counter()
            try:
                return await original(client, query, *args, **kwargs)
            finally:
                counter.seconds.append(time.perf_counter() - started)

        self._saved.append((cls, name, original))
        setattr(cls, name, counted)

    def __exit__(self, *exc: object) -> None:
        for cls, name, original in reversed(self._saved):
            setattr(cls, name, original)
        self._saved.clear()


# --- The machine ------------------------------------------------------------------------

def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")).split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    postgres = "not reachable"
    with contextlib.suppress(Exception), postgres_admin() as admin:
        postgres = admin.execute("show server_version").fetchone()[0]
    cli = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True)
    import aiosqlite
    import asyncpg
    import starlette
    import tortoise
    import uvicorn

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": f"{sqlite3.sqlite_version} (Python), "
                  f"{cli.stdout.split()[0] if cli.stdout else 'no'} (sqlite3 command line)",
        "postgresql": postgres,
        "packages": f"starlette {starlette.__version__}, uvicorn {uvicorn.__version__}, "
                    f"tortoise-orm {tortoise.__version__}, aiosqlite {aiosqlite.__version__}, "
                    f"asyncpg {asyncpg.__version__}",
    }
