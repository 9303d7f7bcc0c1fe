"""Open data over HTTP: the aggregates of forms marked ``open_data: true``, without
sign-in, never a suppressed figure and never an answer, for quarters that are over.

The minimum group size is 3 here (``indicator_min_n``). Responses are stored straight
into the database file (``seed``), in the last quarter that is over unless a test says
when.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from vnform.reports import FIELDS

JSON_URL = "/open-data/indicators.json"
CSV_URL = "/open-data/indicators.csv"
SECRET_TEXT = "Cán bộ Nguyễn Văn A nhận 200.000 đồng"
LOCAL = dt.timezone(dt.timedelta(hours=7))

OPEN = """
id: mo
title: {vi: Khảo sát mở, en: Open survey}
agency: so-a
service: cap-phep
open_data: true
languages: [vi, en]
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
  - {id: de_dang, type: yes_no, label: {vi: Dễ dàng, en: Easy}, indicator: ease}
  - {id: y_kien, type: textarea, label: {vi: Ý kiến, en: Comments}}
"""
SMALL = """
id: nho
title: {vi: Khảo sát nhỏ, en: Small survey}
agency: so-a
service: cap-phep
open_data: true
languages: [vi, en]
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
"""
CLOSED = """
id: kin
title: {vi: Khảo sát nội bộ, en: Internal survey}
agency: so-a
service: cap-phep
languages: [vi, en]
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
"""
DRAFT = """
id: nhap
title: {vi: Bản nháp, en: Draft}
agency: so-a
status: draft
open_data: true
languages: [vi, en]
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
"""


@pytest.fixture
def start(write_form, forms_dir: Path, make_client) -> Callable[..., TestClient]:
    def run(*forms: str, **settings: Any) -> TestClient:
        for form in forms or (OPEN, SMALL, CLOSED):
            write_form(form)
        return make_client(forms_dir, **{"indicator_min_n": 3, **settings})

    return run


def last_quarter() -> tuple[str, dt.datetime]:
    """The label of the last quarter that is over (local days), and a moment in it."""
    today = dt.datetime.now(LOCAL).date()
    quarter = (today.month - 1) // 3  # 0..3, this quarter's index
    year, index = (today.year, quarter) if quarter else (today.year - 1, 4)
    first_month = 3 * index - 2
    return f"{year}-Q{index}", dt.datetime(year, first_month, 15, 5, tzinfo=dt.UTC)


LAST_QUARTER, IN_LAST_QUARTER = last_quarter()


def answer(seed, form_id: str, ratings: list[str], **extra: str) -> None:
    for rating in ratings:
        seed(form_id, {"hai_long": rating, **extra}, at=IN_LAST_QUARTER)


@pytest.fixture
def data(seed) -> None:
    """mo: four ratings (published), ease never answered (undefined), comments;
    nho: two ratings (suppressed); kin: four ratings, but not open data."""
    for rating in ("5", "4", "4", "1"):
        seed("mo", {"hai_long": rating}, texts={"y_kien": SECRET_TEXT}, at=IN_LAST_QUARTER)
    answer(seed, "nho", ["5", "5"])
    answer(seed, "kin", ["1", "1", "1", "1"])


def records(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get(JSON_URL, params=params)
    assert response.status_code == 200, response.text
    return response.json()["indicators"]


def this_year() -> str:
    return str(dt.datetime.now(LOCAL).year)


def test_open_data_needs_no_sign_in_and_publishes_open_forms_only(data, start) -> None:
    found = records(start())
    assert {r["form"] for r in found} == {"mo"}
    (satisfaction,) = [r for r in found if r["indicator"] == "satisfaction"]
    assert (satisfaction["n_valid"], satisfaction["mean"], satisfaction["top2_pct"]) == \
        (4, 3.5, 75.0)


def test_suppressed_and_undefined_records_are_left_out(data, start) -> None:
    found = records(start())
    assert [(r["form"], r["indicator"]) for r in found] == [("mo", "satisfaction")]
    assert all(r["status"] in ("ok", "low_n") for r in found)


def test_a_form_reaching_the_minimum_is_published(seed, start) -> None:
    answer(seed, "nho", ["5", "4", "3"])
    found = records(start(SMALL))
    assert [(r["form"], r["n_valid"], r["mean"]) for r in found] == [("nho", 3, 4.0)]


def test_with_a_higher_minimum_nothing_small_is_published(data, start) -> None:
    assert records(start(indicator_min_n=30)) == []
    csv_text = start(indicator_min_n=30).get(CSV_URL).text
    assert csv_text == ",".join(FIELDS) + "\r\n"


@pytest.mark.parametrize("by", ["service", "agency"])
def test_a_pool_holding_a_suppressed_form_is_left_out(data, start, by) -> None:
    # mo (4) + nho (2) pool to 6 answers, above the minimum; but mo is published on its
    # own, so the pool would give nho's two answers away by subtraction.
    assert records(start(), by=by) == []


@pytest.mark.parametrize("by", ["service", "agency"])
def test_a_pool_of_publishable_forms_is_published(seed, start, by) -> None:
    answer(seed, "mo", ["5", "4", "4"])
    answer(seed, "nho", ["1", "2", "3"])
    answer(seed, "kin", ["1"] * 5)
    (pooled,) = records(start(), by=by)
    assert (pooled["indicator"], pooled["n_valid"], pooled["mean"]) == ("satisfaction", 6, 3.17)
    assert pooled["form"] is None


def test_a_form_without_answers_does_not_hold_a_pool_back(seed, start) -> None:
    answer(seed, "mo", ["5", "4", "4"])
    (pooled,) = records(start(), by="agency")
    assert (pooled["agency"], pooled["n_valid"]) == ("so-a", 3)


def test_no_answer_is_ever_published(data, start) -> None:
    client = start()
    for url in (JSON_URL, CSV_URL):
        for by in ("form", "service", "agency"):
            text = client.get(url, params={"by": by}).text
            assert SECRET_TEXT not in text
            assert "y_kien" not in text
    for record in records(client):
        assert tuple(record) == FIELDS


def test_a_draft_form_is_not_published(seed, start) -> None:
    answer(seed, "nhap", ["5", "5", "5"])
    assert records(start(DRAFT)) == []


def test_the_csv_has_the_record_fields_and_no_byte_order_mark(data, start) -> None:
    response = start().get(CSV_URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.text, newline="")))
    assert tuple(table[0]) == FIELDS
    assert [(row[1], row[4]) for row in table[1:]] == [("mo", "satisfaction")]


def test_the_files_are_named_for_their_period(data, start) -> None:
    client = start()
    assert client.get(CSV_URL).headers["content-disposition"] == \
        f'inline; filename="indicators-{LAST_QUARTER}.csv"'
    assert client.get(JSON_URL, params={"period": "2026-q2"}).headers[
        "content-disposition"] == 'inline; filename="indicators-2026-Q2.json"'


def test_the_period_defaults_to_the_last_quarter_that_is_over(data, seed, start) -> None:
    year_before = dt.datetime(IN_LAST_QUARTER.year - 1, IN_LAST_QUARTER.month, 15,
                              tzinfo=dt.UTC)
    for _ in range(3):
        seed("nho", {"hai_long": "1"}, at=year_before)
    client = start()
    assert {r["period"] for r in records(client)} == {LAST_QUARTER}
    earlier = records(client, period=f"{year_before.year}-{LAST_QUARTER[5:]}")
    assert [(r["form"], r["n_valid"]) for r in earlier] == [("nho", 3)]


@pytest.mark.parametrize("period", ["this quarter", "2026-11", "2026", "2099-Q1"])
def test_only_quarters_that_are_over_are_published(start, period) -> None:
    if period == "this quarter":
        today = dt.datetime.now(LOCAL).date()
        period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    response = start().get(JSON_URL, params={"period": period})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "open data is published by quarter, for each quarter once it is over: use "
        f"period={LAST_QUARTER} (the latest) or an earlier one")


def test_a_deployment_may_publish_months_instead(seed, start) -> None:
    answer(seed, "nho", ["5", "4", "3"])
    client = start(SMALL, open_data_period="month")
    month = IN_LAST_QUARTER.strftime("%Y-%m")
    assert [r["n_valid"] for r in records(client, period=month)] == [3]
    assert client.get(JSON_URL, params={"period": LAST_QUARTER}).status_code == 400


@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_any_site_may_read_open_data(data, start, url) -> None:
    response = start().get(url, headers={"Origin": "https://dashboard.example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]


@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_if_none_match_with_the_current_etag_is_304(data, start, url) -> None:
    client = start()
    first = client.get(url)
    assert first.headers["cache-control"] == "public, no-cache"
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["access-control-allow-origin"] == "*"


def test_a_new_answer_changes_the_etag_and_last_modified(data, seed, start) -> None:
    client = start()
    first = client.get(JSON_URL)
    seed("mo", {"hai_long": "2"}, at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2))
    again = client.get(JSON_URL, headers={
        "If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]
    modified = client.get(JSON_URL, headers={
        "If-Modified-Since": first.headers["last-modified"]})
    assert modified.status_code == 200


def test_answers_to_other_forms_do_not_change_last_modified(data, seed, start) -> None:
    client = start()
    first = client.get(JSON_URL)
    seed("kin", {"hai_long": "2"}, at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    again = client.get(JSON_URL, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert again.status_code == 304


@pytest.mark.parametrize("query", [{"period": "2026-Q5"}, {"by": "question"}])
def test_a_bad_parameter_is_a_400_json_error_any_site_may_read(start, query) -> None:
    response = start().get(JSON_URL, params=query)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_parameter"
    assert response.headers["access-control-allow-origin"] == "*"


def test_open_data_without_open_forms_is_empty(start) -> None:
    response = start(CLOSED).get(JSON_URL)
    assert response.json() == {"indicators": []}
    assert response.headers["last-modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"


# --- differencing across nested periods ------------------------------------------------

def months_of_last_quarter() -> list[dt.datetime]:
    return [dt.datetime(IN_LAST_QUARTER.year, IN_LAST_QUARTER.month + i, 10, 5, tzinfo=dt.UTC)
            for i in range(3)]


@pytest.fixture
def nested(seed) -> dict[str, list[str]]:
    """mo in the last quarter: 3 ratings in its first month, 3 in its second, and 2 in
    its third: too few, so that month's figures are hidden."""
    ratings = {0: ["5", "5", "4"], 1: ["4", "3", "5"], 2: ["1", "1"]}
    for index, moment in enumerate(months_of_last_quarter()):
        for rating in ratings[index]:
            seed("mo", {"hai_long": rating}, at=moment)
    return {moment.strftime("%Y-%m"): ratings[i]
            for i, moment in enumerate(months_of_last_quarter())}


def satisfaction(records_: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r for r in records_ if r["form"] == "mo" and r["indicator"] == "satisfaction"),
                None)


def test_a_hidden_month_cannot_be_had_by_subtracting_published_figures(
        nested, start, api_token) -> None:
    """The attack: the quarter's total less its two published months gives the third
    month's answers. Everything published, to the public and to a token, is gathered,
    and the subtraction tried from every period that holds the hidden month."""
    client = start(OPEN)
    token = bearer(api_token("doi-tac", "so-a"))
    months = list(nested)
    published: dict[str, dict[str, Any] | None] = {}
    for period in [*months, LAST_QUARTER, str(IN_LAST_QUARTER.year)]:
        response = client.get("/api/v1/indicators", params={"period": period}, headers=token)
        assert response.status_code == 200
        published[period] = satisfaction(response.json()["indicators"])
    published["open data"] = satisfaction(records(client, period=LAST_QUARTER))
    hidden = published[months[2]]
    assert hidden is not None and hidden["status"] == "suppressed" and hidden["mean"] is None
    for month in months[:2]:  # the other months are published, figures and all
        assert published[month]["status"] in ("ok", "low_n")
        assert published[month]["mean"] is not None

    def total(record: dict[str, Any] | None) -> float | None:
        if record is None or record["mean"] is None:
            return None
        return record["mean"] * record["n_valid"]

    for parent in (LAST_QUARTER, str(IN_LAST_QUARTER.year), "open data"):
        whole = total(published[parent])
        # Had the parent been published, this would be the hidden month's sum (3 + 3 + 2
        # answers: 2 in the hidden month, whose ratings sum to 2).
        assert whole is None, (parent, published[parent])
    assert published["open data"] is None  # not even listed


def test_a_quarter_whose_months_are_all_published_is_published(seed, start,
                                                               api_token) -> None:
    for moment in months_of_last_quarter():
        for rating in ("5", "4", "3"):
            seed("mo", {"hai_long": rating}, at=moment)
    client = start(OPEN)
    token = bearer(api_token("doi-tac", "so-a"))
    quarter = client.get("/api/v1/indicators", params={"period": LAST_QUARTER},
                         headers=token).json()["indicators"]
    assert (satisfaction(quarter)["n_valid"], satisfaction(quarter)["mean"]) == (9, 4.0)
    assert satisfaction(records(client, period=LAST_QUARTER))["n_valid"] == 9


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
