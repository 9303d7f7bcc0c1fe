"""An export that fails half-way never looks like a complete file."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the HTTP client of our test extras (Starlette uses it too)
import pytest
from conftest import DEMO_FORMS, PASSWORD, Citizen, running_server
from starlette.testclient import TestClient

from vnform import store
from vnform.app import create_app
from vnform.cli import main


def failing_after_one_batch(real: Any) -> Any:
    async def batches(*args: Any, **kwargs: Any) -> AsyncIterator[list[Any]]:
        async for batch in real(*args, **kwargs):
            yield batch
            raise OSError("disk read error")  # the database fails mid-export
    return batches


@pytest.fixture
def answered(settings_for) -> None:
    """Two responses to gop-y-nhanh, then the app stops."""
    with TestClient(create_app(settings_for(DEMO_FORMS))) as client:
        for rating in ("5", "3"):
            client.cookies.clear()
            citizen = Citizen(client)
            citizen.open("/f/gop-y-nhanh")
            citizen.post("/f/gop-y-nhanh", {"danh_gia": rating})


def test_a_failed_cli_export_leaves_no_file(answered, database_url: str, tmp_path: Path,
                                            monkeypatch, capsys) -> None:
    monkeypatch.setattr(store, "iter_responses", failing_after_one_batch(store.iter_responses))
    out = tmp_path / "ket-qua.csv"
    code = main(["export", "gop-y-nhanh", "--output", str(out),
                 "--db", database_url, "--forms", str(DEMO_FORMS)])
    assert code == 1
    assert "the export failed and was not written" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.glob("*.partial")) == []


def test_a_successful_cli_export_replaces_the_file_whole(answered, database_url: str,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "ket-qua.csv"
    out.write_text("old contents\n")
    assert main(["export", "gop-y-nhanh", "--output", str(out),
                 "--db", database_url, "--forms", str(DEMO_FORMS)]) == 0
    assert out.read_text(encoding="utf-8").startswith("response_id,")


@pytest.fixture
def served(add_official, settings_for) -> Iterator[str]:
    """The real app behind uvicorn on a free port, as `vnform serve` runs it."""
    add_official("admin@so.gov.vn")
    with running_server(create_app(settings_for(DEMO_FORMS))) as url:
        yield url


def test_a_download_that_fails_half_way_is_cut_off_not_completed(served: str,
                                                                 monkeypatch) -> None:
    with httpx.Client(base_url=served) as client:
        for rating in ("5", "3"):
            client.cookies.clear()
            page = client.get("/f/gop-y-nhanh")
            fields = dict(re.findall(r'name="(csrf_token|_token)" value="([^"]+)"',
                                                   page.text))
            assert client.post("/f/gop-y-nhanh", data={**fields, "danh_gia": rating}
                               ).status_code == 303
        client.cookies.clear()
        login = client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)[1]
        assert client.post("/admin/login", data={"csrf_token": token, "email": "admin@so.gov.vn",
                                                 "password": PASSWORD}).status_code == 303
        monkeypatch.setattr(store, "iter_responses",
                            failing_after_one_batch(store.iter_responses))
        received = b""
        with pytest.raises(httpx.RemoteProtocolError):
            with client.stream("GET", "/admin/forms/gop-y-nhanh/export.csv") as response:
                assert response.status_code == 200
                for chunk in response.iter_bytes():
                    received += chunk
        # What arrived before the failure is there, but the transfer is marked broken.
        assert received.startswith(b"response_id,")
