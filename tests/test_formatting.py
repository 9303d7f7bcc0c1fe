"""Figures as a reader of the page's language writes them (Babel's CLDR data), rounded
half up as on paper."""

from __future__ import annotations

import datetime as dt

import pytest

from vnform import formatting


@pytest.mark.parametrize(("value", "vi", "en"), [
    (3.64, "3,64", "3.64"), (3004.5, "3.004,50", "3,004.50"), (0.625, "0,63", "0.63"),
    (-0.0001, "0,00", "0.00")])
def test_decimals_use_the_languages_separators(value, vi, en) -> None:
    assert formatting.decimal(value, "vi") == vi
    assert formatting.decimal(value, "en") == en


def test_a_trimmed_decimal_drops_trailing_zeros() -> None:
    assert formatting.decimal(15.0, "vi", trim=True) == "15"
    assert formatting.decimal(2.5, "vi", trim=True) == "2,5"


def test_a_signed_decimal_always_shows_its_sign() -> None:
    assert formatting.decimal(11.111, "vi", sign=True) == "+11,11"
    assert formatting.decimal(-46.05, "en", sign=True) == "-46.05"
    assert formatting.decimal(-0.04, "vi", 1, sign=True) == "0,0"  # no change is no sign


def test_counts_are_grouped() -> None:
    assert formatting.integer(3004, "vi") == "3.004"
    assert formatting.integer(3004, "en") == "3,004"
    assert formatting.integers_in("< 5", "vi") == "< 5"
    assert formatting.integers_in("12345", "vi") == "12.345"


def test_shares_read_as_shares_not_counts() -> None:
    assert formatting.percent(58.8235, "vi") == "58,8\u00a0%"
    assert formatting.percent(58.8235, "en") == "58.8%"
    assert formatting.percent(25.05, "en") == "25.1%"  # half up, as on paper


@pytest.mark.parametrize(("label", "vi", "en"), [
    ("2026-Q4", "Quý IV/2026", "Q4 2026"), ("2026-11", "Tháng 11/2026", "November 2026"),
    ("2026", "Năm 2026", "2026"), ("2026-13", "2026-13", "2026-13"), ("khác", "khác", "khác")])
def test_periods_are_words(label, vi, en) -> None:
    assert formatting.period(label, "vi") == vi
    assert formatting.period(label, "en") == en


def test_dates_read_day_month_year() -> None:
    assert formatting.day(dt.date(2026, 11, 3)) == "03/11/2026"
    assert formatting.day("2026-11-27") == "27/11/2026"
    assert formatting.day("not a date") == "not a date"
    assert formatting.day(None) == ""


@pytest.mark.parametrize(("stored", "vi", "en"), [
    ("1500000", "1.500.000", "1,500,000"), ("12.5", "12,5", "12.5"), ("-7", "-7", "-7"),
    ("0.125", "0,125", "0.125"), ("not a number", "not a number", "not a number")])
def test_a_number_answer_keeps_every_digit_in_the_readers_writing(stored, vi, en) -> None:
    assert formatting.stored_number(stored, "vi") == vi
    assert formatting.stored_number(stored, "en") == en
