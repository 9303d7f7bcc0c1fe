"""Password hashing (argon2id), the unknown-account dummy hash, and the password policy."""

from __future__ import annotations

import asyncio
import re
import unicodedata

import pytest
from argon2 import PasswordHasher

from vnform import passwords
from vnform.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    dummy_hash,
    hash_password,
    hash_password_async,
    needs_rehash,
    password_problems,
    verify_password,
    verify_password_async,
)

STRONG = "Cà phê sữa đá mỗi sáng 7 giờ"
PHC_PREFIX = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


@pytest.fixture(scope="module")
def strong_hash() -> str:
    """One hash shared by the tests that only read it (each hash costs ~50 ms)."""
    return hash_password(STRONG)


# --- hashing ------------------------------------------------------------------------


def test_hash_is_argon2id_with_the_chosen_parameters(strong_hash: str) -> None:
    match = PHC_PREFIX.match(strong_hash)
    assert match, strong_hash
    memory_kib, time_cost, parallelism = map(int, match.groups())
    assert (memory_kib, time_cost, parallelism) == (65536, 3, 4)
    # At or above the OWASP Password Storage Cheat Sheet minimum (19 MiB, t=2, p=1).
    assert memory_kib >= 19 * 1024 and time_cost >= 2 and parallelism >= 1


def test_hash_does_not_contain_the_password(strong_hash: str) -> None:
    assert STRONG not in strong_hash


def test_verify_accepts_the_right_password(strong_hash: str) -> None:
    assert verify_password(strong_hash, STRONG) is True


def test_verify_rejects_a_wrong_password(strong_hash: str) -> None:
    assert verify_password(strong_hash, STRONG + "!") is False


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "not a hash",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "$argon2id$v=19$m=65536,t=3,p=4$garbage",
        "$argon2id$v=19$m=65536,t=3,p=4$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
    ],
)
def test_verify_returns_false_for_an_invalid_hash(bad_hash: str) -> None:
    assert verify_password(bad_hash, STRONG) is False


def test_verify_matches_whatever_unicode_form_the_keyboard_sent(strong_hash: str) -> None:
    decomposed = unicodedata.normalize("NFD", STRONG)
    assert decomposed != STRONG
    assert verify_password(strong_hash, decomposed) is True


def test_same_password_gets_a_different_salt_each_time(strong_hash: str) -> None:
    again = hash_password(STRONG)
    assert again != strong_hash
    assert again.split("$")[4] != strong_hash.split("$")[4]  # the salt field


def test_fresh_hash_does_not_need_rehash(strong_hash: str) -> None:
    assert needs_rehash(strong_hash) is False


def test_hash_made_with_weaker_parameters_needs_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(STRONG)
    assert verify_password(weak, STRONG) is True  # still verifies, so it can be upgraded
    assert needs_rehash(weak) is True


def test_unreadable_hash_needs_rehash() -> None:
    assert needs_rehash("not a hash") is True


# --- unknown accounts ---------------------------------------------------------------


def test_dummy_hash_is_computed_once_and_cached() -> None:
    first = dummy_hash()
    assert dummy_hash() is first
    assert passwords.DUMMY_HASH is first
    assert PHC_PREFIX.match(first)


def test_dummy_hash_rejects_any_password() -> None:
    assert verify_password(dummy_hash(), STRONG) is False


def test_unknown_module_attribute_still_raises() -> None:
    with pytest.raises(AttributeError):
        _ = passwords.NO_SUCH_THING


# --- async wrappers -----------------------------------------------------------------


def test_async_wrappers_hash_and_verify_in_a_worker_thread() -> None:
    async def roundtrip() -> tuple[bool, bool]:
        stored = await hash_password_async(STRONG)
        return (
            await verify_password_async(stored, STRONG),
            await verify_password_async(stored, "wrong password here"),
        )

    assert asyncio.run(roundtrip()) == (True, False)


# --- policy -------------------------------------------------------------------------


def test_strong_vietnamese_passphrase_with_diacritics_is_accepted() -> None:
    assert password_problems(STRONG) == []


def test_too_short_is_rejected_with_the_minimum() -> None:
    (problem,) = password_problems("fjord ink")
    assert str(MIN_LENGTH) in problem


def test_exactly_minimum_length_strong_passphrase_is_accepted() -> None:
    assert len("fjord inkmul") == MIN_LENGTH
    assert password_problems("fjord inkmul") == []


def test_too_long_is_rejected_with_the_maximum() -> None:
    (problem,) = password_problems("x7Qa" * 40)
    assert str(MAX_LENGTH) in problem


def test_exactly_maximum_length_is_accepted() -> None:
    password = (
        "Mỗi sáng tôi đi bộ dọc sông Hương, ghé quán cà phê nhỏ gần cầu Trường Tiền, "
        "gọi một ly sữa đá rồi đọc báo đến bảy giờ rưỡi sáng nay."
    )[:MAX_LENGTH]
    assert len(password) == MAX_LENGTH
    assert password_problems(password) == []


def test_whitespace_only_is_rejected() -> None:
    (problem,) = password_problems(" \t" * 8)
    assert "spaces" in problem


@pytest.mark.parametrize("common", ["password1234", "123456789012", "qwertyuiop12"])
def test_common_password_is_rejected_even_when_long_enough(common: str) -> None:
    assert len(common) >= MIN_LENGTH
    (problem,) = password_problems(common)
    assert "too easy to guess" in problem


def test_rejection_includes_zxcvbn_feedback() -> None:
    (problem,) = password_problems("password1234")
    assert "common" in problem.lower()  # zxcvbn: "This is a very common password."


def test_password_built_from_the_email_local_part_is_rejected() -> None:
    password = "thanh.nguyen1987!"
    assert password_problems(password) == []  # fine for someone else
    (problem,) = password_problems(password, email="thanh.nguyen1987@example.gov.vn")
    assert "too easy to guess" in problem


def test_email_local_part_without_its_dots_is_rejected() -> None:
    problems = password_problems("thanhnguyen1987!", email="Thanh.Nguyen1987@example.gov.vn")
    assert problems


def test_no_composition_rules_for_a_lowercase_only_passphrase() -> None:
    assert password_problems("ochre lagoon drifts") == []


def test_length_counts_nfc_code_points_so_decomposed_short_password_is_rejected() -> None:
    nfd = unicodedata.normalize("NFD", "mưa rơi phố")
    assert len(nfd) >= MIN_LENGTH  # 15 code points as typed, 11 characters after NFC
    (problem,) = password_problems(nfd)
    assert "has 11" in problem


def test_length_counts_nfc_code_points_so_decomposed_twelve_characters_are_accepted() -> None:
    nfc = "mưa phùn Huế"
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfc) == MIN_LENGTH < len(nfd)
    assert password_problems(nfd) == []
    assert password_problems(nfc) == []
