"""The synthesis of a consultation (báo cáo tổng hợp, tiếp thu, giải trình): per
article, the comments received, counted by stance and by kind of commenter, grouped
where they say the same, each group with a representative text and the agency's answer;
as a page and as a Word document."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from vnform import formatting, store
from vnform.consultation.comments import ANSWER_NAMES, ANSWERS, COMMENTER_NAMES, STANCE_NAMES
from vnform.forms.spec import FormSpec
from vnform.i18n import translations
from vnform.store.comments import StoredComment

__all__ = ["ArticleSummary", "GroupSummary", "Synthesis", "assemble",
           "synthesis_docx"]

@dataclass
class GroupSummary:
    """Comments that say the same: how many, by whom, one of them, and the answer most
    of them got."""

    first: StoredComment
    size: int = 0
    commenters: Counter[str] = field(default_factory=Counter)
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Whether the public may read its text (only an approved comment's is quoted).
    readable: bool = True

    @property
    def answer(self) -> tuple[str, str] | None:
        """The agency's answer (kind, text) most of the group got, if any did."""
        return self.answers.most_common(1)[0][0] if self.answers else None


@dataclass
class ArticleSummary:
    id: str
    label: str
    counts: Counter[str] = field(default_factory=Counter)
    groups: list[GroupSummary] = field(default_factory=list)


@dataclass
class Synthesis:
    spec: FormSpec
    articles: list[ArticleSummary]
    total: int = 0
    answered: int = 0
    by_answer: Counter[str] = field(default_factory=Counter)
    commenters: Counter[str] = field(default_factory=Counter)


async def assemble(spec: FormSpec, public: bool = False) -> Synthesis:
    """The synthesis of *spec*'s comments. *public*: as the public synthesis shows it
    (every comment counted, but only an approved one quoted)."""
    assert spec.consultation is not None
    document = spec.consultation.document
    articles = {a.id: ArticleSummary(a.id, a.heading) for a in document.articles}
    articles["general"] = ArticleSummary("general", "")
    groups: dict[tuple[str, str], GroupSummary] = {}
    report = Synthesis(spec, [])
    async for batch in store.iter_comments(spec.id):
        for comment in batch:
            summary = articles.setdefault(comment.article,
                                          ArticleSummary(comment.article, comment.article))
            summary.counts["all"] += 1
            summary.counts[f"stance:{comment.stance or 'none'}"] += 1
            summary.counts[f"type:{comment.commenter_type}"] += 1
            group = groups.get((comment.article, comment.fingerprint))
            if group is None:
                group = groups[(comment.article, comment.fingerprint)] = GroupSummary(comment)
                summary.groups.append(group)
            group.size += 1
            group.commenters[comment.commenter_type] += 1
            if public and group.first.status != "approved" and comment.status == "approved":
                group.first = comment  # the public reads approved comments only
            if comment.answer:
                group.answers[(comment.answer, comment.answer_text or "")] += 1
                report.answered += 1
                report.by_answer[comment.answer] += 1
            report.total += 1
            report.commenters[comment.commenter_type] += 1
    for summary in articles.values():
        summary.groups.sort(key=lambda g: (-g.size, g.first.id))
        for group in summary.groups:
            group.readable = not public or group.first.status == "approved"
    report.articles = list(articles.values())
    return report


def synthesis_docx(report: Synthesis, lang: str) -> bytes:
    """The synthesis as a Word document: a summary, then per article its counts and a
    table of the comments (grouped) with the agency's answers."""
    import docx
    from docx.shared import Pt

    t = translations(lang)
    _ = t.gettext
    spec = report.spec
    number = _number(lang)
    paper = docx.Document()
    paper.styles["Normal"].font.name = "Times New Roman"
    paper.styles["Normal"].font.size = Pt(13)
    paper.add_heading(_("Synthesis of the comments received"), level=0)
    paper.add_paragraph(spec.title.get(lang))
    paper.add_paragraph(_("%(comments)s comments; the agency answered %(answered)s.") % {
        "comments": number(report.total), "answered": number(report.answered)})
    for kind in ANSWERS:
        if report.by_answer[kind]:
            paper.add_paragraph(f"{_(ANSWER_NAMES[kind])}: {number(report.by_answer[kind])}",
                                style="List Bullet")
    for summary in report.articles:
        if not summary.counts["all"]:
            continue
        paper.add_heading(summary.label or _("The draft as a whole"), level=1)
        paper.add_paragraph(_counts_line(summary.counts, _, number))
        table = paper.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, (
                _("Comments"), _("Stance"), _("Commenters"), _("Answer of the agency")),
                strict=True):
            cell.text = title
        for group in summary.groups:
            cells = table.add_row().cells
            text = group.first.text
            if group.first.proposal:
                text += f"\n{_('Proposed wording')}: {group.first.proposal}"
            if group.size > 1:
                text += "\n" + _("(%(n)s comments say the same)") % {"n": number(group.size)}
            cells[0].text = text
            cells[1].text = _(STANCE_NAMES[group.first.stance]) if group.first.stance else ""
            cells[2].text = ", ".join(f"{_(COMMENTER_NAMES.get(kind, kind))}: {number(n)}"
                                      for kind, n in group.commenters.most_common())
            answer = group.answer
            cells[3].text = f"{_(ANSWER_NAMES[answer[0]])}. {answer[1]}".strip() \
                if answer else _("Not answered yet")
    buffer = io.BytesIO()
    paper.save(buffer)
    return buffer.getvalue()


def _number(lang: str) -> Callable[[int], str]:
    return lambda n: formatting.integer(n, lang)


def _counts_line(counts: Counter[str], _: Callable[[str], str],
                 number: Callable[[int], str]) -> str:
    parts = [_("%(n)s comments") % {"n": number(counts["all"])}]
    parts += [f"{_(name)}: {number(counts[f'stance:{key}'])}"
              for key, name in STANCE_NAMES.items() if counts[f"stance:{key}"]]
    parts += [f"{_(name)}: {number(counts[f'type:{key}'])}"
              for key, name in COMMENTER_NAMES.items() if counts[f"type:{key}"]]
    return " · ".join(parts)
