"""Forms kept in the database: `vnform forms list|pull|push`, drafts and revisions, and
a publish served by every running server within seconds, without a restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from conftest import Citizen, Server, with_store

from vnform import store
from vnform.cli import main

FORM = """\
# Khảo sát nhanh: a comment an official wrote, kept verbatim.
id: nhanh
title: {vi: Khảo sát nhanh, en: Quick survey}
agency: ubnd-ha-noi
languages: [vi, en]
questions:
  - id: hai_long
    type: rating
    label:
      vi: Ông/Bà hài lòng không?
      en: Are you satisfied?
"""
CHANGED = FORM.replace("Ông/Bà hài lòng không?", "Ông/Bà có hài lòng không?")
URL = "/f/nhanh"


@pytest.fixture
def cli(database_url: str, forms_dir: Path,
        capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``vnform ARGS`` on the test's database and forms folder: (code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*args, "--db", database_url, "--forms", str(forms_dir)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def yaml_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "nhanh.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def served_within(client: Any, url: str, status: int = 200, seconds: float = 5.0) -> Any:
    """The response to *url* once it has *status*, polling for at most *seconds* (the
    promise: a publish is served everywhere within 5 s)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(url)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def test_a_pushed_form_is_a_draft_that_nobody_is_served(cli, yaml_file, make_client,
                                                         forms_dir) -> None:
    client = make_client(forms_dir)
    code, _, err = cli("forms", "push", str(yaml_file(FORM)))
    assert code == 0, err
    assert "form 'nhanh' saved as the draft" in err
    code, out, _ = cli("forms", "list")
    assert out.splitlines() == ["nhanh\tdatabase\tdraft\t-\tubnd-ha-noi"]
    time.sleep(1.5)  # longer than a server takes to notice a publish
    assert client.get(URL).status_code == 404


def test_a_published_form_is_served_by_a_running_server_without_a_restart(
        cli, yaml_file, make_client, forms_dir) -> None:
    client = make_client(forms_dir)
    assert client.get(URL).status_code == 404
    code, _, err = cli("forms", "push", str(yaml_file(FORM)), "--publish")
    assert code == 0, err
    page = served_within(client, URL)
    assert page.status_code == 200
    assert "Ông/Bà hài lòng không?" in page.text


def test_a_citizen_answers_a_published_form_and_it_is_counted(cli, yaml_file, make_client,
                                                               forms_dir, rows) -> None:
    client = make_client(forms_dir)
    cli("forms", "push", str(yaml_file(FORM)), "--publish")
    served_within(client, URL)
    citizen = Citizen(client)
    citizen.open(URL)
    assert citizen.post(URL, {"hai_long": "5"}).status_code == 303
    assert rows("select form_id, language from response") == [("nhanh", "vi")]
    assert rows("select count(*) from form_version where form_id = 'nhanh'") == [(1,)]


def test_pull_gives_back_the_text_verbatim_and_the_draft_before_the_live_one(
        cli, yaml_file) -> None:
    path = yaml_file(FORM)
    cli("forms", "push", str(path), "--publish")
    path.write_text(CHANGED, encoding="utf-8")
    cli("forms", "push", str(path))
    assert cli("forms", "pull", "nhanh")[1] == CHANGED
    assert cli("forms", "pull", "nhanh", "--live")[1] == FORM
    _, out, _ = cli("forms", "list")
    assert out.split("\t")[2] == "live + draft"


def test_pull_of_a_file_form_prints_its_file(cli, write_form) -> None:
    path = write_form("id: tep\ntitle: Tệp\nagency: a\nquestions: [{id: q, type: text, "
                      "label: Q}]\n")
    code, out, _ = cli("forms", "pull", "tep")
    assert (code, out) == (0, path.read_text(encoding="utf-8"))


def test_pull_of_an_unknown_form_fails(cli) -> None:
    code, _, err = cli("forms", "pull", "khong-co")
    assert code == 1
    assert "no form 'khong-co'" in err


def test_a_form_with_errors_is_not_pushed_and_each_problem_is_named(cli, yaml_file,
                                                                    rows) -> None:
    path = yaml_file(FORM.replace("type: rating", "type: ratting").replace(
        "agency: ubnd-ha-noi\n", ""))
    code, _, err = cli("forms", "push", str(path), "--publish")
    assert code == 1
    assert f"{path}:2:1: missing required key 'agency'" in err
    assert f"{path}:7:11: unknown question type 'ratting'" in err
    assert "nothing was saved" in err
    assert rows("select count(*) from form_revision") == [(0,)]


def test_an_id_of_the_forms_folder_cannot_be_pushed(cli, yaml_file, write_form,
                                                    rows) -> None:
    write_form(FORM)
    code, _, err = cli("forms", "push", str(yaml_file(FORM)))
    assert code == 1
    assert "form id 'nhanh' is already used by" in err
    assert rows("select count(*) from form_design") == [(0,)]


def test_a_save_based_on_an_old_revision_is_refused(cli, yaml_file, database_url) -> None:
    cli("forms", "push", str(yaml_file(FORM)))

    async def save_twice() -> Any:
        first = (await store.design("nhanh")).head  # type: ignore[union-attr]
        await store.save_revision("nhanh", CHANGED, "a@so.gov.vn", first)
        with pytest.raises(store.StaleRevision) as stale:
            await store.save_revision("nhanh", FORM, "b@so.gov.vn", first)
        return stale.value.head, [r.author for r in await store.design_history("nhanh")]

    head, authors = with_store(database_url, save_twice)
    assert authors[0] == "a@so.gov.vn" and head is not None
    assert "b@so.gov.vn" not in authors


def test_every_save_and_publish_is_in_the_audit_log(cli, yaml_file, rows) -> None:
    cli("forms", "push", str(yaml_file(FORM)), "--publish")
    assert [action for (action,) in rows("select action from audit_event order by id")] == [
        "form_saved", "form_published"]


def test_a_closed_form_shows_its_closed_page_and_keeps_its_version(
        cli, yaml_file, make_client, forms_dir, database_url) -> None:
    client = make_client(forms_dir)
    cli("forms", "push", str(yaml_file(FORM)), "--publish")
    served_within(client, URL)
    with_store(database_url, lambda: store.set_design_state("nhanh", "closed"))
    deadline = time.monotonic() + 5
    while "đã đóng" not in (page := client.get(URL)).text and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Khảo sát đã đóng và không nhận thêm câu trả lời." in page.text
    assert 'name="hai_long"' not in page.text
    assert len(with_store(database_url, lambda: store.stored_versions("nhanh"))) == 1


def test_a_publish_reaches_every_instance_on_one_postgresql_database_within_5_s(
        cli, yaml_file, database_url) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("two instances share one database on PostgreSQL")
    servers = [Server(database_url), Server(database_url)]
    try:
        for server in servers:
            assert httpx.get(server.url + URL).status_code == 404
        code, _, err = cli("forms", "push", str(yaml_file(FORM)), "--publish")
        assert code == 0, err
        with httpx.Client() as client:
            for server in servers:
                page = served_within(client, server.url + URL)
                assert page.status_code == 200, server.url
                assert "Ông/Bà hài lòng không?" in page.text
    finally:
        for server in servers:
            server.stop()


def test_an_xlsform_is_pushed_as_a_draft_with_its_report(cli, tmp_path, rows) -> None:
    from test_xlsform import workbook

    path = tmp_path / "khao-sat.xlsx"
    path.write_bytes(workbook())
    code, _, err = cli("forms", "push", str(path), "--agency", "so-tttt-ha-noi")
    assert code == 0, err
    assert "not converted as it was: question 'vi_tri': type 'geopoint' is not supported" \
        in err
    assert rows("select id, agency, state from form_design") == [
        ("khao-sat-x", "so-tttt-ha-noi", "draft")]


def test_an_xlsform_needs_an_agency(cli, tmp_path) -> None:
    from test_xlsform import workbook

    path = tmp_path / "khao-sat.xlsx"
    path.write_bytes(workbook())
    code, _, err = cli("forms", "push", str(path))
    assert code == 1
    assert "an XLSForm names no agency: add --agency CODE" in err
