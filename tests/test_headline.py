"""The headline figures of a results page, from indicator records."""

from __future__ import annotations

from vnform.headline import Figure, headline


def record(indicator: str = "satisfaction", scale: str = "likert5", status: str = "ok",
           **values: float) -> dict[str, object]:
    return {"indicator": indicator, "scale": scale, "status": status, **values}


def test_the_satisfied_share_and_score_come_with_their_change() -> None:
    now = [record(top2_pct=72.5, ci95_low=65.0, ci95_high=79.0, score_0_100=78.0)]
    before = [record(top2_pct=70.0, score_0_100=80.0)]
    assert headline(now, before) == [
        Figure("share", "satisfaction", 72.5, 65.0, 79.0, 2.5),
        Figure("score", "satisfaction", 78.0, change=-2.0)]


def test_satisfaction_is_preferred_to_other_dimensions() -> None:
    now = [record("ease", top2_pct=50.0), record(top2_pct=60.0)]
    assert headline(now, [])[0].indicator == "satisfaction"


def test_a_hidden_record_gives_no_figure_and_no_change() -> None:
    assert headline([record(status="suppressed", top2_pct=None)], []) == []
    now = [record(top2_pct=72.5)]
    assert headline(now, [record(status="suppressed", top2_pct=None)])[0].change is None


def test_a_share_from_few_answers_says_so() -> None:
    assert headline([record(status="low_n", top2_pct=80.0)], [])[0].few


def test_the_nps_is_shown_when_the_form_asks_for_it() -> None:
    now = [record("recommend", "nps", nps=12.0, ci95_low=-5.0, ci95_high=30.0)]
    assert headline(now, [record("recommend", "nps", nps=2.0)]) == [
        Figure("nps", "recommend", 12.0, -5.0, 30.0, 10.0)]
