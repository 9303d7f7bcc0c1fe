"""Which questions and pages a citizen sees, given their answers so far. Pure: the
views decide what to render and validate with these."""

from __future__ import annotations

from typing import Any

from vnform.answers import Answers, visible_questions
from vnform.forms.spec import FormSpec, Page, Question


def live(question: Question, current: Page) -> bool:
    """Whether *question*'s condition reads an answer given on the same page."""
    page_ids = {q.id for q in current.questions}
    return question.show_if is not None and any(
        name.partition(".")[0] in page_ids for name in question.show_if.names
    )


def shown_on(spec: FormSpec, current: Page, answers: Answers,
             live_only: bool = True) -> list[Question]:
    """The questions of *current* shown for *answers*.

    A question whose condition reads an answer on the same page is rendered even when
    the condition is false now (the citizen may change that answer; scripts hide it
    live), unless *live_only*, when only the true conditions count (for validation).
    """
    shown = {q.id for q in visible_questions(spec, answers)}
    return [q for q in current.questions
            if q.id in shown or (not live_only and live(q, current))]


def visible_pages(spec: FormSpec, answers: Answers) -> list[Page]:
    with_questions = {q.page_index for q in visible_questions(spec, answers)}
    return [p for p in spec.pages if p.index in with_questions or p.index == 0]


def next_page(spec: FormSpec, current: Page, answers: Answers) -> Page | None:
    if current.index == len(spec.pages) - 1:
        return None
    return next((p for p in visible_pages(spec, answers) if p.index > current.index), None)


def previous_page(spec: FormSpec, current: Page, answers: Answers) -> Page:
    earlier = [p for p in visible_pages(spec, answers) if p.index < current.index]
    return earlier[-1] if earlier else spec.pages[0]


def page_keys(current: Page) -> set[str]:
    return {key for q in current.questions for key in q.columns}


def page_answers(current: Page, answers: Answers) -> dict[str, Any]:
    keys = page_keys(current)
    return {k: v for k, v in answers.items() if k in keys}


def without_page(answers: Answers, current: Page) -> dict[str, Any]:
    keys = page_keys(current)
    return {k: v for k, v in answers.items() if k not in keys}


def multi_page(spec: FormSpec) -> bool:
    return len(spec.pages) > 1 or spec.review
