"""Tallies: the counts results read are kept as answers arrive, in the submission's own
transaction, and always equal a recount of the raw answers (``vnform tallies``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import Citizen, with_store
from starlette.testclient import TestClient

from vnform import store, tallying
from vnform.answers import AnswerRow
from vnform.cli import main
from vnform.store import reading, tallies
from vnform.summary import number_stats, value_range

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FORM = """
id: dem
title: {vi: Đếm, en: Count}
agency: so-thu
languages: [vi, en]
questions:
  - id: hai_long
    type: likert
    label: Hài lòng
    required: true
    indicator: satisfaction
    choices: [{value: 1, label: Rất không}, {value: 2, label: Không}, {value: 3, label: Vừa},
              {value: 4, label: Có}, {value: 5, label: Rất}]
  - {id: kenh, type: multiple_choice, label: Kênh,
     choices: [{value: web, label: Web}, {value: zalo, label: Zalo}, {value: tv, label: TV}]}
  - {id: tuoi, type: integer, label: Tuổi}
  - {id: y_kien, type: textarea, label: Ý kiến}
"""
URL = "/f/dem"
#: A later version of FORM: a choice and a date question more.
FORM_V2 = FORM.replace("{value: tv, label: TV}]}",
                       "{value: tv, label: TV}, {value: loa, label: Loa}]}") \
    + "  - {id: ngay, type: date, label: Ngày}\n"


# --- what one response adds (pure) ---------------------------------------------------

def rows_of(*items: tuple[str, str | None]) -> list[AnswerRow]:
    return [AnswerRow(key, value, None, None if value is not None else "text")
            for key, value in items]


def test_a_response_adds_itself_and_each_value_and_no_more_for_one_value_answers() -> None:
    counts = tallying.response_counts(rows_of(("hai_long", "4"), ("tuoi", "30")))
    assert counts == {("@responses", ""): 1, ("hai_long", "4"): 1, ("tuoi", "30"): 1}


def test_a_multiple_choice_answer_adds_each_value_and_what_counts_its_respondent_once(
        ) -> None:
    counts = tallying.response_counts(rows_of(("kenh", "web"), ("kenh", "tv"), ("kenh", "sms")))
    assert counts[("kenh", "web")] == counts[("kenh", "tv")] == counts[("kenh", "sms")] == 1
    assert counts[("kenh", "")] == -2
    assert sum(n for (key, _value), n in counts.items() if key == "kenh") == 1


def test_a_multiple_choice_answer_of_one_value_adds_only_that_value() -> None:
    counts = tallying.response_counts(rows_of(("kenh", "web")))
    assert counts == {("@responses", ""): 1, ("kenh", "web"): 1}


def test_a_free_text_answer_counts_as_answered_with_no_value() -> None:
    counts = tallying.response_counts(rows_of(("y_kien", None)))
    assert counts == {("@responses", ""): 1, ("y_kien", ""): 1}


def test_a_rated_case_is_counted_and_an_unsatisfied_rating_apart() -> None:
    counts = tallying.response_counts(rows_of(("hai_long", "2")), case=True, unsatisfied=True)
    assert counts[("@cases", "")] == 1 and counts[("@cases", "unsatisfied")] == 1


def test_a_response_adds_one_row_per_counter_of_its_day_in_key_order() -> None:
    rows = tallying.tally_rows("dem", "v1", "2026-11-20", "vi",
                               {("hai_long", "4"): 1, ("@responses", ""): 1})
    assert rows == [("dem", "@responses", "", "2026-11-20", "vi", "v1", 1),
                    ("dem", "hai_long", "4", "2026-11-20", "vi", "v1", 1)]


def test_a_bulk_load_adds_the_sum_of_its_responses() -> None:
    one = tallying.response_counts(rows_of(("hai_long", "4")))
    rows = tallying.merge([("v1", "2026-11-20", "vi", one), ("v1", "2026-11-20", "vi", one),
                           ("v1", "2026-11-21", "en", one)], "dem")
    by_key = {row[1:6]: row[6] for row in rows}
    assert by_key[("hai_long", "4", "2026-11-20", "vi", "v1")] == 2
    assert by_key[("hai_long", "4", "2026-11-21", "en", "v1")] == 1
    assert len(rows) == 4  # the responses and the value, on each of two days


def test_the_day_is_the_local_day_of_the_deployment() -> None:
    assert tallying.local_day(dt.datetime(2026, 11, 20, 16, 59, tzinfo=dt.UTC), HCM) == \
        "2026-11-20"
    assert tallying.local_day(dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC), HCM) == \
        "2026-11-21"


def test_differences_name_each_counter_that_does_not_match_a_recount() -> None:
    kept = [("dem", "hai_long", "4", "2026-11-20", "vi", "v1", 2),
            ("dem", "hai_long", "5", "2026-11-20", "vi", "v1", 1)]
    recounted = [("dem", "hai_long", "4", "2026-11-20", "vi", "v1", 3),
                 ("dem", "hai_long", "5", "2026-11-20", "vi", "v1", 1)]
    found = tallying.differences(kept, recounted)
    assert [str(d) for d in found] == [
        "dem: answers hai_long = '4', day 2026-11-20, language vi, version v1: kept 2, "
        "recounted 3"]


def test_number_figures_come_from_the_exact_histogram() -> None:
    stats = number_stats({"1": 1, "2.5": 2, "10": 1})  # 1, 2.5, 2.5, 10
    assert (stats.n, stats.mean, stats.median, stats.min, stats.max) == (4, 4.0, 2.5, 1.0, 10.0)
    assert number_stats({"7": 1, "3": 2}).median == 3.0
    assert number_stats({}).n == 0


def test_date_ranges_come_from_the_histogram() -> None:
    assert value_range({"2026-02-01": 3, "2025-12-31": 1}) == (4, "2025-12-31", "2026-02-01")
    assert value_range({}) == (0, None, None)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Ho_Chi_Minh"])
def test_sqlite_recounts_days_exactly_across_daylight_saving_changes(zone: str) -> None:
    tz = ZoneInfo(zone)
    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    moments = [first + dt.timedelta(minutes=37 * i) for i in range(0, 365 * 24 * 60 // 37, 7)]
    day = tallies.day_sql(True, tz, moments[0], moments[-1], column="t")
    with sqlite3.connect(":memory:") as db:
        db.execute("create table x (t text)")
        db.executemany("insert into x values (?)", [(m.isoformat(" "),) for m in moments])
        found = [row[0] for row in db.execute(f"select {day} from x order by rowid")]
    assert found == [tallying.local_day(m, tz) for m in moments]


# --- kept in the submission's transaction, through every path ----------------------

@pytest.fixture
def served(write_form, forms_dir: Path, make_client) -> Callable[..., TestClient]:
    def start(extra: str = "", **settings: Any) -> TestClient:
        write_form(FORM + extra)
        return make_client(forms_dir, **settings)

    return start


def send(client: TestClient, answers: dict[str, Any]) -> Any:
    client.cookies.clear()
    citizen = Citizen(client)
    citizen.open(URL)
    return citizen.post(URL, answers)


def vnform(database_url: str, forms_dir: Path, *args: str) -> int:
    return main([*args, "--db", database_url, "--forms", str(forms_dir)])


def test_web_submissions_are_counted_as_they_arrive(served, rows, database_url,
                                                    forms_dir) -> None:
    client = served()
    send(client, {"hai_long": "4", "kenh": ["web", "tv"], "tuoi": "30", "y_kien": "Tốt"})
    send(client, {"hai_long": "5"})
    assert rows("select sum(responses), sum(changes) from form_tally "
                "where form_id = 'dem'") == [(2, 2)]
    counted = dict(rows("select question || '=' || value, sum(n) from tally "
                        "where form_id = 'dem' group by question, value"))
    assert counted == {"@responses=": 2, "hai_long=4": 1, "hai_long=5": 1,
                       "kenh=": -1, "kenh=web": 1, "kenh=tv": 1, "tuoi=30": 1, "y_kien=": 1}
    assert vnform(database_url, forms_dir, "tallies", "verify") == 0


def test_a_submission_whose_transaction_fails_is_not_counted(served, rows, monkeypatch) -> None:
    client = served()

    counted = tallies.writes

    def failing(*args: Any, **kwargs: Any) -> list[Any]:
        # The counters and the total, then a statement that fails (no form on a counter).
        return [*counted(*args, **kwargs), ("INSERT INTO tally (form_id) VALUES (?)", [(None,)])]

    monkeypatch.setattr(tallies, "writes", failing)
    assert send(client, {"hai_long": "4"}).status_code == 500
    assert rows("select count(*) from response") == [(0,)]
    assert rows("select sum(responses), sum(changes) from form_tally") == [(0, 0)]
    assert rows("select count(*) from tally") == [(0,)]
    assert rows("select count(*) from answer_sheet") == [(0,)]


def test_a_full_form_counts_nothing_more(served, rows) -> None:
    client = served("max_responses: 1\n")
    assert send(client, {"hai_long": "4"}).status_code == 303
    assert send(client, {"hai_long": "5"}).status_code == 403
    assert rows("select sum(responses) from form_tally") == [(1,)]
    assert rows("select value, n from tally where question = 'hai_long' "
                "and value <> ''") == [("4", 1)]


def test_an_automated_submission_is_never_counted(served, rows) -> None:
    client = served()
    send(client, {"hai_long": "1", "_website": "http://spam.example"})
    assert rows("select count(*) from flagged_submission") == [(1,)]
    assert rows("select count(*) from tally") == [(0,)]


def test_case_ratings_are_counted_with_those_rated_unsatisfied(
        served, rows, database_url, forms_dir, monkeypatch, capsys) -> None:
    served()  # the form file
    monkeypatch.setenv("VNFORM_SECRET_KEY", "test-secret-key-" + "x" * 32)
    assert vnform(database_url, forms_dir, "invite", "dem", "--case", "HS-1", "--case",
                  "HS-2") == 0
    links = [line.split("\t")[1].removeprefix("http://127.0.0.1:8000")
             for line in capsys.readouterr().out.splitlines()]
    client = served()
    for link, rating in zip(links, ("2", "5"), strict=True):
        client.cookies.clear()
        citizen = Citizen(client)
        citizen.open(link)
        assert citizen.post(URL, {"hai_long": rating}).status_code == 303
    assert sorted(rows("select value, sum(n) from tally where question = '@cases' "
                       "group by value")) == [("", 2), ("unsatisfied", 1)]


def test_demo_responses_are_counted_batch_by_batch(served, rows, database_url,
                                                   forms_dir) -> None:
    served()
    assert vnform(database_url, forms_dir, "demo", "--form", "dem", "--responses", "250",
                  "--batch", "40", "--seed", "3") == 0
    assert rows("select sum(responses) from form_tally") == [(250,)]
    assert vnform(database_url, forms_dir, "tallies", "verify") == 0


def test_verify_reports_a_difference_and_rebuild_mends_it(served, rows, database, capsys,
                                                          database_url, forms_dir) -> None:
    client = served()
    send(client, {"hai_long": "4"})
    rows("update tally set n = n + 1 where question = 'hai_long' and value = '4'")
    capsys.readouterr()
    assert vnform(database_url, forms_dir, "tallies", "verify") == 1
    out = capsys.readouterr().out
    assert "dem: answers hai_long = '4', day " in out
    assert "kept 2, recounted 1" in out
    assert vnform(database_url, forms_dir, "tallies", "rebuild", "--form", "dem") == 0
    assert vnform(database_url, forms_dir, "tallies", "verify") == 0


def test_after_a_change_of_time_zone_officials_are_told_until_a_rebuild(
        served, add_official, database_url, forms_dir, monkeypatch, rows) -> None:
    from conftest import sign_in

    send(served(), {"hai_long": "4"})  # counted by day in Asia/Ho_Chi_Minh
    add_official("admin@so.gov.vn")
    client = served(timezone="Asia/Tokyo")
    sign_in(client, "admin@so.gov.vn")
    assert "Asia/Ho_Chi_Minh" in client.get("/admin?lang=en").text
    monkeypatch.setenv("VNFORM_TIMEZONE", "Asia/Tokyo")
    assert vnform(database_url, forms_dir, "tallies", "rebuild") == 0
    assert rows("select distinct timezone from form_tally") == [("Asia/Tokyo",)]
    client = served(timezone="Asia/Tokyo")
    sign_in(client, "admin@so.gov.vn")
    assert "another time zone" not in client.get("/admin?lang=en").text
    monkeypatch.setenv("VNFORM_TIMEZONE", "Asia/Ho_Chi_Minh")  # as the test database expects
    assert vnform(database_url, forms_dir, "tallies", "rebuild") == 0


def test_upgrading_counts_the_responses_already_stored(tmp_path: Path) -> None:
    """Migration 0005 creates the tallies of a database that had none."""
    from test_migrations import ROWS, _first_migration_only

    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    asyncio.run(_first_migration_only(url))
    with sqlite3.connect(path) as db:
        for sql in ROWS:
            db.execute(sql)
    asyncio.run(store.prepare(url))
    with sqlite3.connect(path) as db:
        assert db.execute("select responses from form_tally").fetchall() == [(1,)]
        assert db.execute("select n from tally where question = 'diem' "
                          "and value = '5'").fetchall() == [(1,)]
        assert db.execute("select count(*) from answer_sheet").fetchall() == [(1,)]


# --- reads apart from writes ----------------------------------------------------------

def test_a_read_in_progress_never_holds_a_submission(database_url, forms_dir, write_form) -> None:
    from vnform.forms.registry import Registry

    write_form(FORM)
    spec = Registry.load(forms_dir).forms["dem"]

    async def run() -> tuple[int, bool]:
        async with reading.snapshot() as read:  # an official's long read, still open
            await read("SELECT COUNT(*) FROM answer")
            counting = await store.counting([spec], HCM)
            return await asyncio.wait_for(  # a guard against a hang, not a timing
                store.submit(spec, "t" * 32, "vi", {"hai_long": "3"}, counting), timeout=60)

    response_id, stored = with_store(database_url, run)
    assert stored


def test_submissions_during_a_rebuild_are_each_counted_once(database_url, forms_dir,
                                                             write_form, rows) -> None:
    """Concurrent submissions to one form (different shards on PostgreSQL) while the
    form is rebuilt twice: none fails, none is lost or counted twice."""
    from vnform.forms.registry import Registry

    write_form(FORM)
    spec = Registry.load(forms_dir).forms["dem"]

    async def run() -> list[Any]:
        counting = await store.counting([spec], HCM)

        async def citizen(number: int) -> None:
            answers = {"hai_long": str(number % 5 + 1), "kenh": ["web", "tv"][: number % 3]}
            await store.submit(spec, f"{number:032d}", "vi", answers, counting)

        async def official() -> None:
            for _ in range(2):
                await store.rebuild(HCM, ["dem"], {"dem": spec})

        await asyncio.wait_for(asyncio.gather(  # a guard against a hang, not a timing
            *(citizen(n) for n in range(40)), official()), timeout=120)
        return await store.verify(HCM, ["dem"], {"dem": spec})

    assert with_store(database_url, run) == []
    assert rows("select sum(responses) from form_tally") == [(40,)]


def test_officials_reads_cannot_write(database_url) -> None:
    async def run() -> None:
        await reading.fetch("DELETE FROM form_tally")

    with pytest.raises(Exception, match="(?i)read.?only|readonly"):
        with_store(database_url, run)


def with_read_limit(url: str, seconds: float, work: Callable[[], Any]) -> Any:
    """Run *work* on the store of *url* with officials' statements limited to *seconds*."""
    from tortoise.context import TortoiseContext

    async def run() -> Any:
        async with TortoiseContext() as context:
            await context.init(config=store.tortoise_config(url, 1, seconds))
            return await work()

    return asyncio.run(run())


def test_a_read_longer_than_the_limit_is_stopped(database_url) -> None:
    slow = ("SELECT pg_sleep(10)" if not database_url.startswith("sqlite") else
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            "WHERE x < 1000000000) SELECT COUNT(*) FROM c")
    with pytest.raises(store.ReadTimeout):
        with_read_limit(database_url, 0.2, lambda: reading.fetch(slow))


def test_a_results_page_stopped_by_the_limit_says_why(served, add_official, monkeypatch) -> None:
    from conftest import sign_in

    add_official("admin@so.gov.vn")
    client = served()
    sign_in(client, "admin@so.gov.vn")

    async def too_long(*_args: Any, **_kwargs: Any) -> Any:
        raise store.ReadTimeout(15)

    monkeypatch.setattr(store, "results", too_long)
    page = client.get("/admin/forms/dem?lang=en")
    assert page.status_code == 503 and page.headers["retry-after"]
    assert "These results took too long to compute" in page.text
    assert "longer than 15 seconds" in page.text


def test_demo_leaves_statistics_for_the_planner(served, database_url, forms_dir,
                                                database) -> None:
    served()
    assert vnform(database_url, forms_dir, "demo", "--form", "dem", "--responses", "50") == 0
    if database.postgres:
        analysed = database.rows("select relname from pg_stat_user_tables where relname in "
                                 "('tally', 'answer') and last_analyze is not null")
    else:
        analysed = database.rows("select distinct tbl from sqlite_stat1 "
                                 "where tbl in ('tally', 'answer')")
    assert sorted(r[0] for r in analysed) == ["answer", "tally"]


# --- pages that never read the raw responses ----------------------------------------

@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs (by the app too, in its thread)."""
    from tortoise.backends.asyncpg import client as asyncpg_client
    from tortoise.backends.sqlite import client as sqlite_client

    sent: list[str] = []
    saved: list[tuple[Any, str, Any]] = []

    def spy(owner: Any, name: str) -> None:
        original = getattr(owner, name)

        async def recorded(*args: Any, **kwargs: Any) -> Any:
            sent.append(next(a for a in args if isinstance(a, str)))
            return await original(*args, **kwargs)

        saved.append((owner, name, original))
        setattr(owner, name, recorded)

    for module in (sqlite_client, asyncpg_client):
        for cls in vars(module).values():
            if isinstance(cls, type) and cls.__module__ == module.__name__:
                for name in ("execute_query", "execute_query_dict", "execute_many",
                             "execute_insert"):
                    if name in vars(cls):
                        spy(cls, name)
    spy(reading, "_run")
    try:
        yield sent
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def reads_responses(sql: str) -> bool:
    words = sql.lower().replace('"', " ").replace(",", " ").split()
    return any(table in words for table in ("response", "answer", "tally"))


def test_the_home_page_and_a_capped_form_never_read_the_responses(served, rows) -> None:
    client = served("max_responses: 1000\n")
    send(client, {"hai_long": "4"})
    client.cookies.clear()
    with statements() as sent:
        assert client.get("/").status_code == 200
        assert client.get(URL).status_code == 200
    assert sent and not [sql for sql in sent if reads_responses(sql)]


def test_an_unchanged_feed_answers_304_without_computing_a_figure(
        served, api_token, forms_dir) -> None:
    served("open_data: true\n")
    token = api_token("he-thong", forms=forms_dir)
    client = served("open_data: true\n")
    send(client, {"hai_long": "4"})
    headers = {"Authorization": f"Bearer {token}"}
    today = dt.date.today()
    over = f"{today.year}-Q{(today.month - 1) // 3}" if today.month > 3 else \
        f"{today.year - 1}-Q4"  # open data publishes quarters that are over
    for path in ("/api/v1/indicators?period=2026", f"/open-data/indicators.json?period={over}"):
        first = client.get(path, headers=headers)
        assert first.status_code == 200
        with statements() as sent:
            again = client.get(path, headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert not [sql for sql in sent if reads_responses(sql)], sent
        send(client, {"hai_long": "5"})
        changed = client.get(path, headers={**headers, "If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]


def test_segment_figures_are_read_through_the_indexes_made_for_them(database_url) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("reads SQLite's query plans")
    import sqlite3 as sqlite

    with sqlite.connect(database_url.removeprefix("sqlite://")) as db:
        plan = " ".join(row[3] for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT a.question, a.value, COUNT(*) FROM answer s "
            "JOIN answer a ON a.response_id = s.response_id WHERE s.form_id = ? "
            "AND s.question = ? AND s.value = ? GROUP BY a.question, a.value",
            ("dem", "hai_long", "1")))
    assert "COVERING INDEX answer_segment" in plan
    assert "COVERING INDEX answer_response" in plan


def test_a_segmented_view_says_it_is_counted_live(served, add_official) -> None:
    from conftest import sign_in

    add_official("admin@so.gov.vn")
    client = served()
    for rating in ("1", "4", "4"):
        send(client, {"hai_long": rating})
    sign_in(client, "admin@so.gov.vn")
    plain = client.get("/admin/forms/dem?lang=en")
    segmented = client.get("/admin/forms/dem?lang=en&segment=hai_long:4")
    assert 'id="live-note"' not in plain.text
    assert 'id="live-note"' in segmented.text and "Counted live" in segmented.text
    assert '<p class="big-number">&lt; 5</p>' in segmented.text  # 2 of 3, masked


# --- answer sheets: a segment counted from one row per response ----------------------

def layout_of_form(text: str, write_form, forms_dir: Path) -> Any:
    from vnform import sheets
    from vnform.forms.registry import Registry

    write_form(text)
    return Registry.load(forms_dir).forms["dem"], sheets


def test_a_layout_grows_and_never_moves_a_column(write_form, forms_dir) -> None:
    spec, sheets = layout_of_form(FORM, write_form, forms_dir)
    first = sheets.extended(sheets.Layout(), spec)
    assert first.marks[:6] == (("hai_long", "1"), ("hai_long", "2"), ("hai_long", "3"),
                               ("hai_long", "4"), ("hai_long", "5"), ("hai_long", ""))
    assert first.numbers == ("tuoi",) and first.dates == ()
    later, _ = layout_of_form(FORM_V2, write_form, forms_dir)
    grown = sheets.extended(first, later)
    assert grown.marks[:len(first.marks)] == first.marks  # nothing moved
    assert grown.marks[len(first.marks):] == (("kenh", "loa"), ("ngay", ""))
    assert grown.dates == ("ngay",)
    assert sheets.Layout.from_json(grown.to_json()) == grown


def test_a_sheet_marks_values_and_answers_and_holds_numbers(write_form, forms_dir) -> None:
    spec, sheets = layout_of_form(FORM, write_form, forms_dir)
    layout = sheets.extended(sheets.Layout(), spec)
    from vnform.answers import answer_rows

    ((part, marks, numbers, dates),) = sheets.sheet_rows(layout, answer_rows(
        spec, {"hai_long": "4", "kenh": ["web", "tv"], "tuoi": "30", "y_kien": "Tốt"}))
    marked = {layout.marks[i] for i, m in enumerate(marks[:len(layout.marks)]) if m}
    assert marked == {("hai_long", "4"), ("hai_long", ""), ("kenh", "web"), ("kenh", "tv"),
                      ("kenh", ""), ("tuoi", ""), ("y_kien", "")}
    assert part == 0 and numbers[0] == 30.0 and set(numbers[1:]) == {None}
    assert set(dates) == {None}


def test_a_wide_form_spreads_its_sheet_over_several_rows(write_form, forms_dir) -> None:
    many = "\n".join(f"  - {{id: q{i}, type: rating, max: 5, label: Q{i}}}" for i in range(30))
    spec, sheets = layout_of_form(FORM.split("questions:")[0] + "questions:\n" + many + "\n",
                                  write_form, forms_dir)
    layout = sheets.extended(sheets.Layout(), spec)
    assert len(layout.marks) == 30 * 6 and layout.parts == 2
    from vnform.answers import answer_rows

    rows = sheets.sheet_rows(layout, answer_rows(spec, {"q29": "5"}))
    assert [part for part, *_ in rows] == [0, 1]
    assert sum(sum(marks) for _part, marks, _n, _d in rows) == 2  # q29=5, q29 answered


def recount(rows: Callable[..., list[tuple[Any, ...]]], question: str, value: str,
            language: str | None = None) -> dict[str, Any]:
    """A segment's figures counted the plain way, from the answer rows."""
    members = {i for (i,) in rows(
        "select r.id from response r join answer a on a.response_id = r.id where "
        "a.question = ? and a.value = ?" + (" and r.language = ?" if language else ""),
        *([question, value, language] if language else [question, value]))}
    counts: dict[str, dict[str, int]] = {}
    answered: dict[str, set[int]] = {}
    numbers: dict[str, list[float]] = {}
    for response_id, key, answer, number in rows(
            "select response_id, question, value, number from answer"):
        if response_id not in members:
            continue
        answered.setdefault(key, set()).add(response_id)
        if answer is not None:
            counts.setdefault(key, {})[answer] = counts.get(key, {}).get(answer, 0) + 1
            if number is not None:
                numbers.setdefault(key, []).append(number)
    return {"responses": len(members), "answered": {k: len(v) for k, v in answered.items()},
            "counts": counts, "numbers": numbers}


def test_segment_figures_equal_a_recount_across_versions_and_languages(
        served, write_form, make_client, forms_dir, rows, database_url) -> None:
    from vnform.filters import Filters
    from vnform.forms.registry import Registry
    from vnform.store import segments

    client = served()
    answers = [({"hai_long": "4", "kenh": ["web", "tv"], "tuoi": "30", "y_kien": "Tốt"}, "vi"),
               ({"hai_long": "4", "tuoi": "41"}, "en"), ({"hai_long": "2", "kenh": ["tv"]}, "vi"),
               ({"hai_long": "4", "kenh": ["zalo"], "tuoi": "20"}, "vi")]
    for given, lang in answers:
        client.cookies.clear()
        citizen = Citizen(client)
        citizen.open(f"{URL}?lang={lang}")
        assert citizen.post(URL, given).status_code == 303
    write_form(FORM_V2)  # a new version: a new choice and a new date question
    client = make_client(forms_dir)
    for given in ({"hai_long": "4", "kenh": ["loa"], "ngay": "2026-01-02"},
                  {"hai_long": "4", "tuoi": "25", "ngay": "2025-12-31"}):
        assert send(client, given).status_code == 303
    spec = Registry.load(forms_dir).forms["dem"]

    async def figures(language: str | None, value: str) -> Any:
        return await segments.figures(spec, Filters(language=language,
                                                    segment=("hai_long", value)))

    # "4": most responses (its sheets are swept); "2": a few (read one by one).
    for language, value in ((None, "4"), ("vi", "4"), (None, "2")):
        found = with_store(database_url, lambda language=language, value=value:
                           figures(language, value))
        expected = recount(rows, "hai_long", value, language)
        assert found.responses == expected["responses"]
        assert found.counts == {k: v for k, v in expected["counts"].items()
                                if k not in ("tuoi", "ngay")}
        assert found.answered == expected["answered"]
        ages = sorted(expected["numbers"].get("tuoi", []))
        if ages:
            assert (found.numbers["tuoi"].n, found.numbers["tuoi"].min,
                    found.numbers["tuoi"].max) == (len(ages), ages[0], ages[-1])
            middle = ages[(len(ages) - 1) // 2:len(ages) // 2 + 1]
            assert found.numbers["tuoi"].median == sum(middle) / len(middle)
    assert with_store(database_url, lambda: figures(None, "4")).dates["ngay"] == \
        (2, "2025-12-31", "2026-01-02")


def test_answers_stored_before_their_form_was_laid_out_get_their_sheets_at_start(
        write_form, forms_dir, make_client, seed, rows) -> None:
    seed("dem", {"hai_long": "4"})  # no server has laid the form out yet
    assert rows("select count(*) from answer_sheet") == [(1,)]  # an empty sheet
    write_form(FORM)
    make_client(forms_dir)  # lays the form out: the stored answer fills a column
    assert rows("select sum(c0 + c1 + c2 + c3 + c4 + c5) from answer_sheet") == [(2,)]
