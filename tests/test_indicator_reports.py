"""`vnform indicators`: records from real submissions, compared with hand-computed figures.

Citizens answer through the web pages; the app is then stopped and the command reads the
database file, as an operator would run it. Submission times are rewritten in the file
(UTC, as stored) so that periods are fixed; local time is Asia/Ho_Chi_Minh (UTC+7).
Every expected value below is worked out by hand from ANSWERS (see docs/indicators.md
for the formulas), then rounded to 2 decimals as the output is.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Citizen
from starlette.testclient import TestClient

from vnform import reports
from vnform.app import create_app
from vnform.cli import main

FORM_A = """
id: chi-so
title: Chỉ số dịch vụ
agency: so-a
service: "1.001"
choice_lists:
  hl5:
    - {value: 1, label: Rất không hài lòng}
    - {value: 2, label: Không hài lòng}
    - {value: 3, label: Bình thường}
    - {value: 4, label: Hài lòng}
    - {value: 5, label: Rất hài lòng}
    - {value: na, label: Không áp dụng, not_applicable: true}
composite:
  - {id: sipas, of: [procedure, civil_servant, satisfaction]}
  - {id: sipas_w, of: [procedure, civil_servant], weights: {procedure: 3}}
questions:
  - id: kenh
    type: single_choice
    label: Kênh nộp hồ sơ
    choices: [{value: online, label: Trực tuyến}, {value: quay, label: Tại quầy}]
  - {id: hl_chung, type: likert, label: Hài lòng chung, choices: hl5, indicator: satisfaction}
  - id: hl_mang
    type: likert
    label: Hài lòng với cổng trực tuyến
    choices: hl5
    indicator: satisfaction
    show_if: kenh == "online"
  - {id: tin, type: yes_no, label: Tin tưởng cơ quan, indicator: trust}
  - {id: gt, type: nps, label: Giới thiệu cho người khác, indicator: recommend}
  - id: cl
    type: matrix
    label: Chất lượng
    choices:
      - {value: rk, label: Rất không hài lòng}
      - {value: k, label: Không hài lòng}
      - {value: bt, label: Bình thường}
      - {value: hl, label: Hài lòng}
      - {value: rhl, label: Rất hài lòng}
      - {value: na, label: Không áp dụng, not_applicable: true}
    rows:
      - {id: thu_tuc, label: Thủ tục, indicator: procedure}
      - {id: can_bo, label: Cán bộ, indicator: civil_servant}
"""

# Same agency and service as A; satisfaction on a 5-point likert with word codes.
FORM_B = """
id: chi-so-b
title: Chỉ số B
agency: so-a
service: "1.001"
questions:
  - id: hl
    type: likert
    label: Hài lòng
    indicator: satisfaction
    choices:
      - {value: rk, label: Rất không hài lòng}
      - {value: k, label: Không hài lòng}
      - {value: bt, label: Bình thường}
      - {value: hl, label: Hài lòng}
      - {value: rhl, label: Rất hài lòng}
  - {id: tin, type: yes_no, label: Tin tưởng, indicator: trust}
"""

# Another agency, same service; satisfaction on a 5-point rating: another scale.
FORM_C = """
id: chi-so-c
title: Chỉ số C
agency: so-b
service: "1.001"
questions:
  - {id: diem, type: rating, label: Chấm điểm, indicator: satisfaction}
"""

# (form, answers), in submission order: response ids 1 to 9.
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("chi-so", {"kenh": "online", "hl_chung": "5", "hl_mang": "4", "tin": "yes", "gt": "10",
                "cl.thu_tuc": "hl", "cl.can_bo": "rhl"}),
    ("chi-so", {"kenh": "online", "hl_chung": "4", "hl_mang": "2", "tin": "no", "gt": "9",
                "cl.thu_tuc": "bt", "cl.can_bo": "na"}),
    # hl_mang is hidden (not online): the 5 sent anyway is dropped.
    ("chi-so", {"kenh": "quay", "hl_chung": "3", "hl_mang": "5", "tin": "yes", "gt": "6",
                "cl.thu_tuc": "rhl", "cl.can_bo": "hl"}),
    ("chi-so", {"kenh": "quay", "hl_chung": "na", "tin": "yes", "gt": "8", "cl.thu_tuc": "k"}),
    ("chi-so", {"kenh": "online", "hl_mang": "5", "gt": "3", "cl.thu_tuc": "rk",
                "cl.can_bo": "k"}),
    ("chi-so", {"hl_chung": "1", "tin": "no"}),
    ("chi-so-b", {"hl": "rhl", "tin": "yes"}),
    ("chi-so-b", {"hl": "rk", "tin": "yes"}),
    ("chi-so-c", {"diem": "4"}),
]
IN_NOVEMBER = "2026-11-10 03:00:00+00:00"  # 10/11/2026 10:00 in Hà Nội

NO_NPS = {"promoters_pct": None, "detractors_pct": None, "nps": None}
NO_EXTRAS = {"of": None, "cases": None, "case_satisfaction_pct": None}
FORM_A_HEAD = {"period": "2026-11", "form": "chi-so", "agency": "so-a", "service": "1.001"}

# chi-so, satisfaction: hl_chung 5, 4, 3, n/a, skip, 1; hl_mang 4, 2, hidden, hidden, 5,
# hidden. Valid: 5, 4, 3, 1, 4, 2, 5 (the vector). n 7, n/a 1, skips 1 + 3.
# mean 24/7 = 3.4286; top two 4/7 = 57.14%; bottom two 2/7 = 28.57%;
# score (3.4286 − 1)/4 = 60.71; Wilson(4, 7) = [25.05, 84.18].
SATISFACTION = FORM_A_HEAD | {
    "indicator": "satisfaction", "questions": ["hl_chung", "hl_mang"], "scale": "likert5",
    "n_valid": 7, "n_skip": 4, "n_na": 1, "mean": 3.43, "top2_pct": 57.14,
    "bottom2_pct": 28.57, "score_0_100": 60.71, "ci95_low": 25.05, "ci95_high": 84.18,
    "status": "low_n"} | NO_NPS | NO_EXTRAS
# trust: yes, no, yes, yes, skip, no → 3 of 5: 60%; no 40%; mean 0.6; Wilson(3, 5).
TRUST = FORM_A_HEAD | {
    "indicator": "trust", "questions": ["tin"], "scale": "yes_no", "n_valid": 5, "n_skip": 1,
    "n_na": 0, "mean": 0.6, "top2_pct": 60.0, "bottom2_pct": 40.0, "score_0_100": 60.0,
    "ci95_low": 23.07, "ci95_high": 88.24, "status": "low_n"} | NO_NPS | NO_EXTRAS
# recommend: 10, 9, 6, 8, 3, skip → promoters 2/5, detractors 2/5, NPS 0;
# mean 36/5 = 7.2, score 72; top two (9–10) 40%, bottom two (0–1) 0%;
# se = √((0.4 + 0.4 − 0²)/5) = 0.4 → ±1.959964 × 40 = ±78.40.
RECOMMEND = FORM_A_HEAD | {
    "indicator": "recommend", "questions": ["gt"], "scale": "nps", "n_valid": 5, "n_skip": 1,
    "n_na": 0, "mean": 7.2, "top2_pct": 40.0, "bottom2_pct": 0.0, "score_0_100": 72.0,
    "ci95_low": -78.4, "ci95_high": 78.4, "status": "low_n", "promoters_pct": 40.0,
    "detractors_pct": 40.0, "nps": 0.0} | NO_EXTRAS
# procedure (word codes at positions 1..5): hl 4, bt 3, rhl 5, k 2, rk 1, skip →
# mean 15/5 = 3; top two 2/5; bottom two 2/5; score 50; Wilson(2, 5) = [11.76, 76.93].
PROCEDURE = FORM_A_HEAD | {
    "indicator": "procedure", "questions": ["cl.thu_tuc"], "scale": "likert5", "n_valid": 5,
    "n_skip": 1, "n_na": 0, "mean": 3.0, "top2_pct": 40.0, "bottom2_pct": 40.0,
    "score_0_100": 50.0, "ci95_low": 11.76, "ci95_high": 76.93, "status": "low_n",
    } | NO_NPS | NO_EXTRAS
# civil servant: rhl 5, n/a, hl 4, skip, k 2, skip → n 3, mean 11/3 = 3.67; top two 2/3;
# bottom two 1/3; score (11/3 − 1)/4 = 66.67; Wilson(2, 3) = [20.77, 93.85].
CIVIL_SERVANT = FORM_A_HEAD | {
    "indicator": "civil_servant", "questions": ["cl.can_bo"], "scale": "likert5", "n_valid": 3,
    "n_skip": 2, "n_na": 1, "mean": 3.67, "top2_pct": 66.67, "bottom2_pct": 33.33,
    "score_0_100": 66.67, "ci95_low": 20.77, "ci95_high": 93.85, "status": "low_n",
    } | NO_NPS | NO_EXTRAS
COMPOSITE = FORM_A_HEAD | {
    "questions": [], "scale": "composite", "n_valid": None, "n_skip": None, "n_na": None,
    "mean": None, "bottom2_pct": None, "score_0_100": None, "ci95_low": None,
    "ci95_high": None, "cases": None, "case_satisfaction_pct": None} | NO_NPS
# sipas: (40 + 66.67 + 57.14)/3 = 54.60; sipas_w: (3 × 40 + 66.67)/4 = 46.67.
SIPAS = COMPOSITE | {"indicator": "sipas", "of": ["procedure", "civil_servant", "satisfaction"],
                     "top2_pct": 54.6, "status": "low_n"}
SIPAS_W = COMPOSITE | {"indicator": "sipas_w", "of": ["procedure", "civil_servant"],
                       "top2_pct": 46.67, "status": "low_n"}


@pytest.fixture
def submitted(settings_for, forms_dir, write_form, rows) -> Callable[..., None]:
    """Write the three forms, submit ANSWERS through the pages, stop the app, and date
    every response in November 2026 (*times* overrides some, by response id)."""
    for text in (FORM_A, FORM_B, FORM_C):
        write_form(text)

    def run(times: dict[int, str] | None = None) -> None:
        with TestClient(create_app(settings_for(forms_dir))) as client:
            for form_id, answers in ANSWERS:
                client.cookies.clear()
                citizen = Citizen(client)
                citizen.open(f"/f/{form_id}")
                response = citizen.post(f"/f/{form_id}", answers)
                assert response.status_code == 303, response.text
        rows("update response set submitted_at = ?", IN_NOVEMBER)
        for response_id, moment in (times or {}).items():
            rows("update response set submitted_at = ? where id = ?", moment, response_id)

    return run


def indicators(tmp_path: Path, forms_dir: Path, database_url: str, *flags: str,
               period: str = "2026-11", fmt: str = "json") -> Any:
    out = tmp_path / f"indicators.{fmt}"
    code = main(["indicators", "--period", period, "--db", database_url,
                 "--forms", str(forms_dir), "--format", fmt, "--output", str(out), *flags])
    assert code == 0
    text = out.read_bytes().decode("utf-8")
    return json.loads(text)["indicators"] if fmt == "json" else text


@pytest.fixture
def records(submitted, tmp_path, forms_dir, database_url) -> Callable[..., list[dict]]:
    def run(*flags: str, period: str = "2026-11") -> list[dict]:
        return indicators(tmp_path, forms_dir, database_url, *flags, period=period)

    return run


def of_form(found: list[dict], form_id: str = "chi-so") -> dict[str, dict]:
    return {r["indicator"]: r for r in found if r["form"] == form_id}


# --- one form, every field -----------------------------------------------------------------

def test_stored_answers_are_the_ones_the_figures_assume(submitted, rows) -> None:
    submitted()
    # the hidden hl_mang of response 3 was dropped; "does not apply" is stored as "na"
    assert rows("select value from answer where response_id = 3 and question = 'hl_mang'") == []
    assert rows("select value from answer where response_id = 4 and question = 'hl_chung'"
                ) == [("na",)]


@pytest.mark.parametrize("expected", [SATISFACTION, TRUST, RECOMMEND, PROCEDURE, CIVIL_SERVANT],
                         ids=lambda r: r["indicator"])
def test_form_record_matches_the_hand_computed_figures(submitted, records, expected) -> None:
    submitted()
    assert of_form(records("--min-n", "1"))[expected["indicator"]] == expected


@pytest.mark.parametrize("expected", [SIPAS, SIPAS_W], ids=lambda r: r["indicator"])
def test_composite_record_matches_the_hand_computed_figure(submitted, records, expected) -> None:
    submitted()
    assert of_form(records("--min-n", "1"))[expected["indicator"]] == expected


def test_records_have_the_fields_in_order(submitted, records) -> None:
    submitted()
    for record in records("--min-n", "1"):
        assert tuple(record) == reports.FIELDS


def test_form_records_come_in_the_order_of_the_form(submitted, records) -> None:
    submitted()
    assert list(of_form(records("--min-n", "1"))) == [
        "satisfaction", "trust", "recommend", "procedure", "civil_servant", "sipas", "sipas_w"]


def test_default_minimum_suppresses_every_value(submitted, records) -> None:
    submitted()
    found = of_form(records())
    assert {name: r["status"] for name, r in found.items()} == dict.fromkeys(found, "suppressed")
    values = ("mean", "top2_pct", "bottom2_pct", "score_0_100", "ci95_low", "ci95_high",
              "promoters_pct", "detractors_pct", "nps")
    assert {r[name] for r in found.values() for name in values} == {None}
    assert found["satisfaction"]["n_valid"] == 7  # counts stay: they are not figures


def test_a_period_without_answers_is_undefined_never_zero(submitted, records) -> None:
    submitted()
    found = of_form(records("--min-n", "1", period="2026-10"))
    assert found["satisfaction"]["status"] == "undefined"
    assert (found["satisfaction"]["n_valid"], found["satisfaction"]["top2_pct"]) == (0, None)
    assert (found["sipas"]["status"], found["sipas"]["top2_pct"]) == ("undefined", None)


# --- periods ---------------------------------------------------------------------------

BOUNDARY = {
    1: "2026-10-31 16:59:59+00:00",  # 31/10 23:59:59 in Hà Nội: October
    2: "2026-10-31 17:00:00+00:00",  # 1/11 00:00:00 in Hà Nội: November
}


def test_month_boundary_is_local_midnight(submitted, records) -> None:
    submitted(BOUNDARY)
    october = of_form(records("--min-n", "1", period="2026-10"))["trust"]
    november = of_form(records("--min-n", "1", period="2026-11"))["trust"]
    # response 1 said yes (October); responses 2–6 said no, yes, yes, skip, no (November)
    assert (october["n_valid"], october["top2_pct"]) == (1, 100.0)
    assert (november["n_valid"], november["top2_pct"], november["n_skip"]) == (4, 50.0, 1)


def test_quarter_and_year_hold_both_sides_of_the_month_boundary(submitted, records) -> None:
    submitted(BOUNDARY)
    for period in ("2026-Q4", "2026"):
        trust = of_form(records("--min-n", "1", period=period))["trust"]
        assert (trust["period"], trust["n_valid"], trust["top2_pct"]) == (period, 5, 60.0)


def test_the_last_second_of_a_year_belongs_to_that_year(submitted, records) -> None:
    submitted({1: "2026-12-31 16:59:59+00:00", 2: "2026-12-31 17:00:00+00:00"})
    assert of_form(records("--min-n", "1", period="2026-Q4"))["trust"]["n_valid"] == 4
    assert of_form(records("--min-n", "1", period="2027-Q1"))["trust"]["n_valid"] == 1


def test_a_bad_period_is_refused_with_the_accepted_forms(submitted, forms_dir, database_url,
                                                         capsys) -> None:
    code = main(["indicators", "--period", "2026-Q5", "--db", database_url,
                 "--forms", str(forms_dir)])
    assert code == 2
    assert "use a month (2026-11), a quarter (2026-Q4) or a year (2026)" in (
        capsys.readouterr().err)


# --- pooling by service and agency ---------------------------------------------------------

def test_by_service_pools_the_forms_of_one_service(submitted, records) -> None:
    submitted()
    found = records("--by", "service", "--min-n", "1")
    (likert,) = [r for r in found if r["indicator"] == "satisfaction" and r["scale"] == "likert5"]
    # chi-so's 5, 4, 3, 1, 4, 2, 5 and chi-so-b's rhl (5), rk (1): n 9, Σ 30 → mean 3.33;
    # top two 4 + 1 = 5/9 = 55.56%; bottom two 2 + 1 = 3/9 = 33.33%; Wilson(5, 9).
    assert sorted(likert.pop("questions")) == ["chi-so-b:hl", "chi-so:hl_chung", "chi-so:hl_mang"]
    assert likert == {
        "period": "2026-11", "form": None, "agency": None, "service": "1.001",
        "indicator": "satisfaction",
        "scale": "likert5", "n_valid": 9, "n_skip": 4, "n_na": 1, "mean": 3.33,
        "top2_pct": 55.56, "bottom2_pct": 33.33, "score_0_100": 58.33, "ci95_low": 26.67,
        "ci95_high": 81.12, "status": "low_n"} | NO_NPS | NO_EXTRAS


def test_by_service_pools_answers_not_form_means(submitted, records) -> None:
    submitted()
    (trust,) = [r for r in records("--by", "service", "--min-n", "1")
                if r["indicator"] == "trust"]
    # chi-so 3 yes of 5 (60%), chi-so-b 2 of 2 (100%): pooled 5/7 = 71.43%, not 80%
    assert (trust["n_valid"], trust["top2_pct"], trust["ci95_low"], trust["ci95_high"]) == (
        7, 71.43, 35.89, 91.78)


def test_by_agency_pools_the_forms_of_one_agency(submitted, records) -> None:
    submitted()
    found = {(r["agency"], r["indicator"], r["scale"]): r
             for r in records("--by", "agency", "--min-n", "1")}
    assert sorted(found) == [
        ("so-a", "civil_servant", "likert5"), ("so-a", "procedure", "likert5"),
        ("so-a", "recommend", "nps"), ("so-a", "satisfaction", "likert5"),
        ("so-a", "trust", "yes_no"), ("so-b", "satisfaction", "rating5")]
    so_a = found["so-a", "satisfaction", "likert5"]
    assert (so_a["form"], so_a["service"], so_a["n_valid"], so_a["top2_pct"]) == (
        None, None, 9, 55.56)
    assert found["so-a", "trust", "yes_no"]["top2_pct"] == 71.43


def test_one_dimension_on_two_scales_gives_two_records(submitted, records) -> None:
    submitted()
    found = [r for r in records("--by", "service", "--min-n", "1")
             if r["indicator"] == "satisfaction"]
    assert [r["scale"] for r in found] == ["likert5", "rating5"]
    rating = found[1]
    # chi-so-c alone: one answer, 4 of 5 → top two 100%, mean 4, score 75; Wilson(1, 1)
    assert (rating["questions"], rating["n_valid"], rating["mean"], rating["top2_pct"],
            rating["score_0_100"], rating["ci95_low"], rating["ci95_high"]) == (
        ["chi-so-c:diem"], 1, 4.0, 100.0, 75.0, 20.65, 100.0)


def test_composites_are_per_form_only(submitted, records) -> None:
    submitted()
    for by in ("service", "agency"):
        assert [r for r in records("--by", by, "--min-n", "1") if r["scale"] == "composite"] == []


# --- CSV ---------------------------------------------------------------------------------

def test_csv_has_the_json_fields_as_columns(submitted, tmp_path, forms_dir,
                                            database_url) -> None:
    submitted()
    text = indicators(tmp_path, forms_dir, database_url, "--min-n", "1", fmt="csv")
    assert text.splitlines()[0] == ",".join(reports.FIELDS)
    assert "\r\n" in text


def test_csv_rows_carry_rounded_values_joined_lists_and_empty_nulls(
        submitted, tmp_path, forms_dir, database_url) -> None:
    submitted()
    text = indicators(tmp_path, forms_dir, database_url, "--min-n", "1", fmt="csv")
    found = {(r["form"], r["indicator"]): r for r in csv.DictReader(io.StringIO(text))}
    satisfaction = found["chi-so", "satisfaction"]
    assert satisfaction["questions"] == "hl_chung;hl_mang"
    assert (satisfaction["mean"], satisfaction["top2_pct"], satisfaction["ci95_low"]) == (
        "3.43", "57.14", "25.05")
    assert satisfaction["nps"] == satisfaction["of"] == ""
    recommend = found["chi-so", "recommend"]
    # a negative number stays a number (no spreadsheet-formula quote)
    assert (recommend["nps"], recommend["ci95_low"]) == ("0.0", "-78.4")
    assert found["chi-so", "sipas"]["of"] == "procedure;civil_servant;satisfaction"


def test_csv_and_json_have_the_same_records(submitted, tmp_path, forms_dir,
                                            database_url) -> None:
    submitted()
    text = indicators(tmp_path, forms_dir, database_url, "--min-n", "1", fmt="csv")
    found = indicators(tmp_path, forms_dir, database_url, "--min-n", "1")
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(found) > 0


# --- the linter ----------------------------------------------------------------------------

MIXED_SCALES = """
id: tron
title: Trộn thang đo
agency: so-a
questions:
  - id: a
    type: likert
    label: A
    indicator: satisfaction
    choices: [{value: 1, label: Một}, {value: 2, label: Hai}, {value: 3, label: Ba}]
  - {id: b, type: rating, label: B, max: 10, indicator: satisfaction}
"""

UNKNOWN_PART = """
id: ghep
title: Ghép
agency: so-a
composite: {id: sipas, of: [access, procedure]}
questions:
  - {id: a, type: rating, label: A, indicator: acess}
  - {id: b, type: rating, label: B, indicator: procedure}
"""


def check(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[str]]:
    code = main(["check", str(path)])
    return code, capsys.readouterr().out.splitlines()


def test_check_refuses_a_dimension_on_two_scales(write_form, capsys) -> None:
    path = write_form(MIXED_SCALES)
    assert check(capsys, path) == (1, [
        f"{path}:10:57: indicator 'satisfaction' is measured on a likert3 scale elsewhere, "
        "here on rating10: answers of one dimension must share a scale to be pooled"])


def test_check_refuses_a_composite_of_an_unknown_dimension(write_form, capsys) -> None:
    path = write_form(UNKNOWN_PART)
    code, out = check(capsys, path)
    assert code == 1
    assert f"{path}:4:29: composite 'sipas' combines 'access', which no question measures " \
           "(did you mean 'acess'?)" in out


# --- the documentation ---------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "indicators.md"


def test_docs_explain_every_record_field() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert [name for name in reports.FIELDS if f"`{name}`" not in text] == []


def test_docs_example_forms_load_without_problems() -> None:
    from vnform.forms.loader import load_text

    text = DOCS.read_text(encoding="utf-8")
    examples = [block for block in re.findall(r"^```yaml\n(.*?)^```$", text, re.S | re.M)
                if re.search(r"^id: ", block, re.M)]
    assert examples
    for example in examples:
        assert [str(p) for p in load_text(example, "docs/indicators.md").problems] == []
