"""Personal data kept only as long as its purpose: `vnform purge` and the daily job.

Citizens answer a form that keeps phone numbers 30 days; their responses are then
spread over 90 days (as another clock would have written them). The purge erases the
phone numbers older than 30 days and nothing else: every other answer, the results
page, the indicators and a recount of the raw rows read the same before and after.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import PERSONAL_FORM_HEAD, Citizen, Server, errors, sign_in, with_store

from vnform import retention
from vnform.cli import main

OFFICIAL = "luu.tru@so.gov.vn"
URL = "/admin/forms/lien-he"
FORM = PERSONAL_FORM_HEAD + """\
  - {id: hai_long, type: likert, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction,
     choices: [{value: 1, label: Tệ}, {value: 2, label: Tạm}, {value: 3, label: Tốt}]}
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
  - {id: gop_y, type: textarea, label: {vi: Góp ý, en: Comments}, personal_data: none}
"""
#: Days before now each response was sent: a response set spanning 90 days.
AGES = [89, 75, 60, 45, 31, 29, 15, 1]


@pytest.fixture
def app(write_form, forms_dir, add_official, make_client, rows) -> Any:
    write_form(FORM)
    add_official(OFFICIAL)
    client = make_client(forms_dir)
    now = dt.datetime.now(dt.UTC)
    for n, age in enumerate(AGES, 1):
        client.cookies.clear()
        citizen = Citizen(client)
        citizen.open("/f/lien-he")
        sent = citizen.post("/f/lien-he", {"hai_long": str(n % 3 + 1), "consent": "yes",
                                           "dien_thoai": f"09123456{n:02d}", "gop_y": f"Ý {n}"})
        assert sent.status_code == 303, errors(citizen.page)
        at = (now - dt.timedelta(days=age)).strftime("%Y-%m-%d %H:%M:%S+00:00")
        rows("update response set submitted_at = ? where id = ?", at, n)
    client.cookies.clear()
    assert sign_in(client, OFFICIAL).status_code == 303
    return client


def figures(client: Any) -> str:
    """The results page's figures (the latest text answers aside) and the indicators of
    every quarter the responses fall in."""
    page = client.get(f"{URL}?lang=en").text
    main_part = page.split("<main", 1)[1].split("</main>", 1)[0]
    main_part = main_part.split('id="share-title"', 1)[0] + main_part.split('id="days-title"',
                                                                            1)[1]
    main_part = re.sub(r'<ul class="text-answers">.*?</ul>', "", main_part, flags=re.S)
    main_part = re.sub(r'<p><a href="[^"]*/texts/[^"]*">See all .*?</p>', "", main_part)
    today = dt.date.today()
    quarters = sorted({f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in (
        today - dt.timedelta(days=age) for age in AGES)})
    indicators = [client.get(f"/admin/indicators?period={q}&lang=en").text.split(
        "<main", 1)[1].split("</main>", 1)[0] for q in quarters]
    return re.sub(r"\s+", " ", main_part + "".join(indicators))


def phones(rows: Any) -> list[int]:
    return [rid for (rid,) in rows(
        "select response_id from answer where question = 'dien_thoai' order by response_id")]


def purge(database: Any, forms_dir: Any, dry_run: bool = False) -> int:
    return main(["purge", *(["--dry-run"] if dry_run else []), "--db", database.url,
                 "--forms", str(forms_dir)])


def test_purge_erases_personal_answers_older_than_the_retention(app, database, forms_dir,
                                                                rows) -> None:
    assert phones(rows) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert purge(database, forms_dir) == 0
    assert phones(rows) == [6, 7, 8]  # 29, 15 and 1 days old
    assert rows("select count(*) from answer where question = 'gop_y'") == [(8,)]
    erased = [rid for rid, at in rows("select id, erased_at from response order by id") if at]
    assert erased == [1, 2, 3, 4, 5]


def test_every_figure_is_the_same_after_a_purge(app, database, forms_dir) -> None:
    before = figures(app)
    assert purge(database, forms_dir) == 0
    assert figures(app) == before
    assert database.verify() == []
    database.retally()
    assert figures(app) == before


def test_a_dry_run_counts_and_erases_nothing(app, database, forms_dir, rows,
                                             capsys) -> None:
    capsys.readouterr()
    assert purge(database, forms_dir, dry_run=True) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1:] == ["lien-he  5  0"]
    assert "would erase the personal data of 5 response(s)" in err
    assert phones(rows) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_a_second_purge_finds_nothing_more(app, database, forms_dir, capsys) -> None:
    purge(database, forms_dir)
    capsys.readouterr()
    purge(database, forms_dir)
    assert "erased the personal data of 0 response(s)" in capsys.readouterr().err


def test_a_purge_is_audited_with_counts_only(app, database, forms_dir, rows) -> None:
    purge(database, forms_dir)
    ((details,),) = rows("select details from audit_event where action = 'purged'")
    assert json.loads(details) == {"via": "cli", "responses": 5}


def test_expired_sessions_and_old_sign_in_failures_go_too(app, database, forms_dir,
                                                          rows) -> None:
    old = "2020-01-01 00:00:00+00:00"
    rows("insert into login_failure (key, at) values ('email:x@y.vn', ?)", old)
    rows("update user_session set last_seen_at = ?, created_at = ?", old, old)
    purge(database, forms_dir)
    assert rows("select count(*) from login_failure") == [(0,)]
    assert rows("select count(*) from user_session") == [(0,)]


# --- the daily job -------------------------------------------------------------------

def test_the_daily_job_runs_once_a_day_whatever_the_number_of_instances(
        app, database, forms_dir, settings_for, rows) -> None:
    # Two instances of `vnform serve` on the database, each with the daily job: one runs
    # it (the app of the fixture runs without).
    servers = [Server(database.url, forms=forms_dir), Server(database.url, forms=forms_dir)]
    try:
        ran = finished_runs(rows)
    finally:
        for server in servers:
            server.stop()
    assert [(job, day) for job, day, _outcome in ran] == [("purge", local_today())]
    assert json.loads(ran[0][2])["personal"] == {"lien-he": 5}
    assert phones(rows) == [6, 7, 8]
    # Asked again the same day, by any process: no.
    settings = settings_for(forms_dir, daily_jobs=True)
    assert with_store(database.url, lambda: retention.run_today(
        {}, settings, ZoneInfo(settings.timezone))) is False


def finished_runs(rows: Any) -> list[tuple[str, str, str]]:
    """The daily jobs' runs, once every one started has finished (the job runs beside
    the app's first requests)."""
    for _ in range(200):
        found = rows("select job, day, finished_at, outcome from job_run")
        if found and all(finished for _job, _day, finished, _outcome in found):
            return [(job, day, outcome) for job, day, _finished, outcome in found]
        time.sleep(0.05)
    raise AssertionError(f"the daily job did not finish: {found}")


def local_today() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
