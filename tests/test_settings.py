from pathlib import Path

import pytest

from vnform.settings import Settings, describe

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_match_the_documented_cli_contract() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.forms_dir == Path("forms")
    assert settings.database_url == "sqlite://var/vnform.sqlite3"
    assert settings.max_body_bytes == 1_000_000


def test_environment_variables_set_settings() -> None:
    settings = Settings.from_env({"VNFORM_PORT": "9000", "VNFORM_HTTPS": "true",
                                  "VNFORM_DATABASE_URL": "sqlite:///tmp/x.sqlite3"})
    assert (settings.port, settings.https, settings.database_url) == (
        9000, True, "sqlite:///tmp/x.sqlite3")


def test_flags_win_over_the_environment() -> None:
    settings = Settings.from_env({"VNFORM_PORT": "9000"}, port=7000)
    assert settings.port == 7000


def test_bad_values_are_reported_by_name() -> None:
    with pytest.raises(ValueError, match="VNFORM_PORT must be a whole number"):
        Settings.from_env({"VNFORM_PORT": "eighty"})


def test_a_generated_secret_key_is_kept_between_starts(tmp_path: Path) -> None:
    first = Settings().with_secret(tmp_path).secret_key
    assert len(first) >= 40
    assert Settings().with_secret(tmp_path).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name, _default, _help in describe() if name not in readme]
    assert not missing
