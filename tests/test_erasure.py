"""Erasing personal answers and deleting responses: the rows go, the counts stay.

Citizens answer a form with a personal-data question through its pages; the answers are
then erased through the store, as the retention job, a citizen's private link and
`vnform subject erase` do. The results page reads the same before and after, a recount
of the raw rows agrees with the counters, and a rebuild of the counters changes nothing.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import PERSONAL_FORM_HEAD, Citizen, Database, errors, sign_in, with_store

from vnform import store
from vnform.cli import main

OFFICIAL = "xoa.du.lieu@so.gov.vn"
URL = "/admin/forms/lien-he"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

FORM = PERSONAL_FORM_HEAD + """\
  - id: hai_long
    type: rating
    label: {vi: Hài lòng, en: Satisfied}
  - id: dien_thoai
    type: phone
    label: {vi: Điện thoại, en: Phone}
    personal_data: basic
  - id: dan_toc
    type: single_choice
    label: {vi: Dân tộc, en: Ethnicity}
    personal_data: sensitive
    choices:
      - {value: kinh, label: Kinh}
      - {value: tay, label: Tày}
  - id: gop_y
    type: textarea
    label: {vi: Góp ý, en: Comments}
    personal_data: none
"""
ANSWERS = [  # the first two agreed to the notice and gave personal data
    {"hai_long": "5", "dien_thoai": "0912345678", "dan_toc": "kinh", "gop_y": "Tốt",
     "consent": "yes"},
    {"hai_long": "4", "dien_thoai": "0987654321", "dan_toc": "tay", "consent": "yes"},
    {"hai_long": "2", "gop_y": "Chậm"},
]


@pytest.fixture
def app(write_form, forms_dir, add_official, make_client) -> Any:
    write_form(FORM)
    add_official(OFFICIAL)
    client = make_client(forms_dir)
    for answers in ANSWERS:
        client.cookies.clear()
        citizen = Citizen(client)
        assert citizen.open("/f/lien-he").status_code == 200
        assert citizen.post("/f/lien-he", answers).status_code == 303, errors(citizen.page)
    client.cookies.clear()
    assert sign_in(client, OFFICIAL).status_code == 303
    return client


def results(client: Any) -> str:
    """The figures of the results page: its main content without what changes on every
    load (the share links) and without the latest text answers, which are answers, not
    figures (an erased one is gone)."""
    page = client.get(f"{URL}?lang=en").text
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    main = main.split('id="share-title"', 1)[0] + main.split('id="days-title"', 1)[1]
    main = re.sub(r'<ul class="text-answers">.*?</ul>', "", main, flags=re.S)
    main = re.sub(r'<p><a href="[^"]*/texts/[^"]*">See all .*?</p>', "", main)
    return re.sub(r"\s+", " ", main)


def erase(database: Database, work: Any) -> Any:
    return with_store(database.url, work)


def test_erased_personal_answers_are_gone_and_every_figure_stays(app, database,
                                                                 rows) -> None:
    before = results(app)
    done = erase(database, lambda: store.erase_personal(
        "lien-he", [1, 2], ["dien_thoai", "dan_toc"], TZ))
    assert done == 2
    assert rows("select response_id, question from answer where question in "
                "('dien_thoai', 'dan_toc')") == []
    assert rows("select count(*) from answer where response_id = 1") == [(2,)]  # the rest
    assert [r[0] is not None for r in rows("select erased_at from response order by id")] \
        == [True, True, False]
    assert results(app) == before
    assert database.verify() == []


def test_a_rebuild_after_an_erasure_counts_the_erased_answers_still(app, database) -> None:
    before = results(app)
    erase(database, lambda: store.erase_personal("lien-he", [1], ["dien_thoai", "dan_toc"],
                                                 TZ))
    database.retally("lien-he")
    assert results(app) == before
    assert database.verify() == []


def test_a_deleted_response_is_gone_and_still_counted(app, database, rows) -> None:
    before = results(app)
    assert erase(database, lambda: store.delete_responses("lien-he", [2], TZ)) == 1
    assert rows("select id from response order by id") == [(1,), (3,)]
    assert rows("select count(*) from answer where response_id = 2") == [(0,)]
    assert rows("select count(*) from answer_sheet where response_id = 2") == [(0,)]
    assert results(app) == before
    assert database.verify() == []
    database.retally("lien-he")
    assert results(app) == before


def test_a_segment_counted_live_sees_only_what_is_still_stored(app, database) -> None:
    # A segment of a personal-data question is for an account that may see it.
    assert main(["user", "allow-personal-data", OFFICIAL, "--db", database.url]) == 0
    assert '<p class="big-number">&lt; 5</p>' in app.get(f"{URL}?segment=dan_toc:kinh").text
    erase(database, lambda: store.erase_personal("lien-he", [1, 2], ["dan_toc"], TZ))
    page = app.get(f"{URL}?lang=en&segment=dan_toc:kinh").text
    assert '<p class="big-number">0</p>' in page


def test_a_segment_of_a_personal_question_is_refused_without_access(app) -> None:
    page = app.get(f"{URL}?lang=en&segment=dan_toc:kinh").text
    assert "Some filters were not understood and are not applied: segment" in page
    assert '<p class="big-number">3</p>' in page
    assert 'value="dan_toc:kinh"' not in page  # not offered either


def test_an_erased_personal_number_leaves_no_trace_of_its_value(
        write_form, forms_dir, add_official, make_client, database, rows) -> None:
    write_form("""
id: nam-sinh
title: Năm sinh
agency: so-thu
purpose: Thống kê theo tuổi.
controller: Sở Thu
retention_days: 30
questions:
  - {id: nam_sinh, type: integer, label: Năm sinh, personal_data: basic}
  - {id: hai_long, type: rating, label: Hài lòng}
""")
    client = make_client(forms_dir)
    for year in ("1985", "1990"):
        client.cookies.clear()
        citizen = Citizen(client)
        citizen.open("/f/nam-sinh")
        assert citizen.post("/f/nam-sinh", {"nam_sinh": year, "hai_long": "4",
                                            "consent": "yes"}).status_code == 303
    erase(database, lambda: store.erase_personal("nam-sinh", [1], ["nam_sinh"], TZ,
                                                 fold=["nam_sinh"]))
    values = {value for table in ("tally", "erased_tally") for (value,) in rows(
        f"select value from {table} where question = 'nam_sinh'")}
    assert "1985" not in values and "1990" in values  # the other answer is still kept
    assert rows("select sum(n) from tally where question = 'nam_sinh'") == [(2,)]
    assert database.verify() == []
    database.retally("nam-sinh")
    assert rows("select sum(n) from tally where question = 'nam_sinh'") == [(2,)]


def test_erasing_responses_of_another_form_erases_nothing(app, database, rows) -> None:
    assert erase(database, lambda: store.delete_responses("autre", [1, 2], TZ)) == 0
    assert erase(database, lambda: store.erase_personal("autre", [1], ["dien_thoai"],
                                                        TZ)) == 0
    assert rows("select count(*) from response") == [(3,)]
