"""Deployment settings: one frozen object, read from ``VNFORM_*`` variables and CLI flags."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _setting(default: Any, help: str, env: str) -> Any:
    return field(default=default, metadata={"help": help, "env": env})


@dataclass(frozen=True)
class Settings:
    """Everything a deployment can configure; each field documents itself."""

    forms_dir: Path = _setting(
        Path("forms"), "Folder of form files (*.yaml) to serve.", "VNFORM_FORMS_DIR"
    )
    agencies_file: Path = _setting(
        Path("agencies.yaml"), "YAML file of agencies' names in each language, by code "
        "(pages show the names; a missing file: the codes).", "VNFORM_AGENCIES_FILE"
    )
    database_url: str = _setting(
        "sqlite://var/vnform.sqlite3",
        "Database URL, e.g. sqlite://var/vnform.sqlite3 (a relative or sqlite:///absolute path).",
        "VNFORM_DATABASE_URL",
    )
    secret_key: str = _setting(
        "",
        "Key that signs session cookies. When empty, a generated key is kept in var/secret_key.",
        "VNFORM_SECRET_KEY",
    )
    host: str = _setting("127.0.0.1", "Address `vnform serve` listens on.", "VNFORM_HOST")
    port: int = _setting(8000, "Port `vnform serve` listens on.", "VNFORM_PORT")
    max_body_bytes: int = _setting(
        1_000_000, "Largest request body accepted; larger ones get 413.", "VNFORM_MAX_BODY_BYTES"
    )
    max_concurrent: int = _setting(
        100, "Requests one server process handles at a time; more wait for their turn.",
        "VNFORM_MAX_CONCURRENT",
    )
    max_concurrent_officials: int = _setting(
        8, "Officials' and other systems' requests (results, exports, indicators, feeds) one "
        "server process handles at a time, apart from citizens' (who never wait for them).",
        "VNFORM_MAX_CONCURRENT_OFFICIALS",
    )
    read_connections: int = _setting(
        2, "Database connections officials' reads use, apart from the one citizens' answers "
        "are written through (a PostgreSQL pool of this size per server process).",
        "VNFORM_READ_CONNECTIONS",
    )
    read_timeout: int = _setting(
        15, "Seconds one statement of an official's read may run before it is stopped and "
        "the page says so (503); 0: no limit.", "VNFORM_READ_TIMEOUT",
    )
    queue_seconds: int = _setting(
        10, "Seconds a request may wait for its turn before it is refused with 503 and "
        "Retry-After.", "VNFORM_QUEUE_SECONDS",
    )
    rate_limit: int = _setting(
        10, "Submissions one address may send to one form per minute (a form's rate_limit "
        "overrides it; 0: no limit).", "VNFORM_RATE_LIMIT",
    )
    timezone: str = _setting(
        "Asia/Ho_Chi_Minh",
        "Time zone for form open/close dates, displayed times and the days responses are "
        "counted in (after a change, run `vnform tallies rebuild`).",
        "VNFORM_TIMEZONE",
    )
    session_max_age: int = _setting(
        4 * 3600,
        "Seconds a citizen's session lasts: language, and unfinished answers (purged after).",
        "VNFORM_SESSION_MAX_AGE",
    )
    open_data_period: str = _setting(
        "quarter", "The one kind of period open data publishes (month, quarter or year), "
        "each once it is over.", "VNFORM_OPEN_DATA_PERIOD",
    )
    daily_jobs: bool = _setting(
        True, "Run the daily purge (personal data past its form's retention, expired "
        "sessions, old sign-in failures) inside `vnform serve`; one process of all "
        "instances runs it each day. Off: run `vnform purge` from cron instead.",
        "VNFORM_DAILY_JOBS",
    )
    admin_idle_minutes: int = _setting(
        30, "Minutes without activity after which an official must sign in again.",
        "VNFORM_ADMIN_IDLE_MINUTES",
    )
    admin_max_hours: int = _setting(
        12, "Hours after sign-in when an official's session ends, active or not.",
        "VNFORM_ADMIN_MAX_HOURS",
    )
    login_max_failures: int = _setting(
        5, "Failed sign-ins per account or per address before sign-in is refused for a while.",
        "VNFORM_LOGIN_MAX_FAILURES",
    )
    login_window_minutes: int = _setting(
        15, "Minutes over which failed sign-ins are counted.", "VNFORM_LOGIN_WINDOW_MINUTES"
    )
    min_group_size: int = _setting(
        5, "Counts below this within a filtered view show as '< N' on the dashboard.",
        "VNFORM_MIN_GROUP_SIZE",
    )
    indicator_min_n: int = _setting(
        30, "Indicators computed from fewer valid answers than this are suppressed.",
        "VNFORM_INDICATOR_MIN_N",
    )
    public_url: str = _setting(
        "",
        "Address citizens reach vnform at (e.g. https://khaosat.example.gov.vn); invitation "
        "links start with it. Empty: the API uses the request's address, `vnform invite` "
        "uses http://127.0.0.1:8000.",
        "VNFORM_PUBLIC_URL",
    )
    forwarded_allow_ips: str = _setting(
        "", "Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are trusted (empty: none; the connection's address "
        "counts).", "VNFORM_FORWARDED_ALLOW_IPS",
    )
    frame_ancestors: str = _setting(
        "", "Space-separated origins allowed to show the pages in a frame (e.g. "
        "https://dichvucong.example.gov.vn); empty: no site may frame them.",
        "VNFORM_FRAME_ANCESTORS",
    )
    migrate: bool = _setting(
        False, "Let `vnform serve` apply pending migrations to a PostgreSQL database at start "
        "(SQLite is always migrated at start).", "VNFORM_MIGRATE",
    )
    https: bool = _setting(
        False, "Set when served over HTTPS: session cookies get the Secure flag.", "VNFORM_HTTPS"
    )
    debug: bool = _setting(False, "Show tracebacks on errors (never in production).",
                           "VNFORM_DEBUG")

    def __post_init__(self) -> None:
        if self.open_data_period not in ("month", "quarter", "year"):
            raise ValueError("VNFORM_OPEN_DATA_PERIOD must be month, quarter or year, not "
                             f"{self.open_data_period!r}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Read settings from the environment; explicit (non-None) overrides win."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _convert(f.default, raw, f.metadata["env"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("forms_dir", "agencies_file"):
            if name in values:
                values[name] = Path(values[name])
        return cls(**values)

    def with_secret(self, var_dir: Path = Path("var")) -> Settings:
        """Return settings with a signing key, generating and keeping one in *var_dir*."""
        if self.secret_key:
            return self
        path = var_dir / "secret_key"
        if not path.exists():
            var_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())


def _convert(default: Any, raw: str, name: str) -> Any:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    return raw


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for docs and `--help`."""
    return [(f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(Settings)]


def environment(settings: Settings) -> dict[str, str]:
    """The ``VNFORM_*`` variables that reproduce *settings* in another process."""
    result = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        result[f.metadata["env"]] = ("true" if value else "false") if isinstance(value, bool) \
            else str(value)
    return result
