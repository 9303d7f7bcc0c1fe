"""A consultation's pages for citizens: the draft as a document, the comment form of
each article (and of the whole draft), the review of the visit's comments, and the
published synthesis.

A visit's comments wait in its server-side draft (keyed by the form's one-time token,
as a survey's pages do) until the citizen sends them from the review page, with the
form's questions; they are then stored with one response, through the same checks as a
survey's answers (:func:`vnform.views.citizen.finish`): CSRF, the one-time token, the
honeypot, the rate limit, the personal-data notice.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from vnform import csrf, store
from vnform.consultation.comments import (
    COMMENTER_NAMES,
    STANCE_NAMES,
    CommentDraft,
    names,
    read_comment,
)
from vnform.consultation.document import Article
from vnform.consultation.revision import compare
from vnform.consultation.synthesis import assemble
from vnform.formbuild import bind
from vnform.forms.spec import Consultation, FormSpec
from vnform.i18n import translations
from vnform.navigation import live, shown_on
from vnform.views import citizen
from vnform.views.render import page_language, path_for, render

#: The draft's key holding the visit's comments (no question id starts with "_").
COMMENTS = "_comments"
#: Approved comments shown under an article, per page.
PUBLIC_PER_PAGE = 20


def consultation_of(spec: FormSpec) -> Consultation:
    if spec.consultation is None:
        raise HTTPException(404)
    return spec.consultation


def _comments_of(spec: FormSpec, answers: dict[str, Any]) -> list[CommentDraft]:
    """The visit's comments kept in its draft, on what the draft still has (a new
    version may have dropped an article)."""
    targets = consultation_of(spec).targets
    return [CommentDraft.of_json(item) for item in answers.get(COMMENTS, [])
            if isinstance(item, dict) and item.get("article") in targets]


async def _visit(request: Request, spec: FormSpec) -> tuple[str, dict[str, Any]]:
    """This visit's one-time token and its draft's answers (its comments among them)."""
    token = citizen.session_token(request, spec)
    draft = await store.load_draft(token)
    return token, dict(draft.answers) if draft else {}


def _ordered(spec: FormSpec, comments: list[CommentDraft]) -> list[CommentDraft]:
    """The visit's comments in the order of the draft, the general one last."""
    order = {target: i for i, target in enumerate(consultation_of(spec).targets)}
    return sorted(comments, key=lambda c: order.get(c.article, len(order)))


async def form(request: Request) -> Response:
    """``/f/<id>``: a consultation's document, or a survey's first page."""
    spec = citizen.public_form(request)
    if spec.consultation is None or citizen.preview_of(request) is not None:
        return await citizen.page(request)
    if request.method != "GET":
        raise HTTPException(405, headers={"Allow": "GET"})
    return await document(request, spec)


async def review_or_survey(request: Request) -> Response:
    """``/f/<id>/review``: a consultation's comments before sending, or a survey's
    check-your-answers page."""
    spec = citizen.public_form(request)
    if spec.consultation is None or citizen.preview_of(request) is not None:
        return await citizen.review(request)
    return await review(request, spec)


async def document(request: Request, spec: FormSpec) -> Response:
    """``GET /f/<id>`` of a consultation: the draft, with its contents, a link to
    comment on each article, and the visit's comments not sent yet."""
    consultation = consultation_of(spec)
    lang = page_language(request, spec.languages)
    reason = await citizen.why_closed(request, spec)
    if reason in ("not_open",) or spec.status == "draft":
        return await citizen.closed_page(request, spec, lang) or Response(status_code=404)
    pending: list[CommentDraft] = []
    if reason is None:
        _token, answers = await _visit(request, spec)
        pending = _comments_of(spec, answers)
    public = await store.public_comment_counts(spec.id) if consultation.public_comments \
        else {}
    return render(request, "consultation/document.html", {
        "spec": spec, "consultation": consultation, "doc": consultation.document,
        "outline": consultation.document.outline(), "closed": reason,
        "pending": _ordered(spec, pending), "labels": consultation.headings, "public": public,
        "published": await store.synthesis_published(spec.id),
    }, lang=lang, languages=spec.languages)


def _target(spec: FormSpec, target: str) -> Article | None:
    """The article a comment page is about (None for the general comment); 404 for
    anything else."""
    if target == "general":
        return None
    found = consultation_of(spec).document.article(target)
    if found is None:
        raise HTTPException(404)
    return found


async def article(request: Request) -> Response:
    """``/f/<id>/a/<article-id>``: an article and the form to comment on it (``general``:
    a comment on the whole draft). A valid comment joins the visit's comments, replacing
    one it made on the same article, and the citizen goes to the review page."""
    spec = citizen.public_form(request)
    consultation = consultation_of(spec)
    lang = page_language(request, spec.languages)
    target = request.path_params["article_id"]
    found = _target(spec, target)
    if (closed := await citizen.closed_page(request, spec, lang)) is not None:
        return closed
    token, answers = await _visit(request, spec)
    comments = _comments_of(spec, answers)
    earlier = next((c for c in comments if c.article == target), None)
    if request.method == "GET":
        values = {"commenter_type": earlier.commenter_type if earlier else (
            comments[-1].commenter_type if comments else ""),
            "stance": (earlier.stance or "") if earlier else "",
            "proposal": earlier.proposal if earlier else "",
            "text": earlier.text if earlier else ""}
        return await _article_page(request, spec, found, target, lang, token, values, {})
    data = await citizen.read_form(request)
    posted_token = citizen.check_post(request, data)
    if posted_token != token:
        raise HTTPException(403, csrf.EXPIRED)  # a token from another visit
    t = translations(lang)
    posted = read_comment(data, target, consultation, t.gettext, lang)
    if posted.comment is None:
        return await _article_page(request, spec, found, target, lang, token,
                                   posted.values, posted.errors, status_code=200)
    kept = [c for c in comments if c.article != target] + [posted.comment]
    answers[COMMENTS] = [c.to_json() for c in kept]
    await store.save_draft(token, spec, answers, 0)
    if data.get(citizen.HONEYPOT_FIELD):
        await store.mark_suspect(spec, token, lang, "honeypot")
    return citizen.redirect(path_for(request, "review", form_id=spec.id) + "?added=" +
                             target)


async def _article_page(request: Request, spec: FormSpec, found: Article | None,
                        target: str, lang: str, token: str, values: dict[str, str],
                        errors: dict[str, str], status_code: int = 200) -> Response:
    consultation = consultation_of(spec)
    shown = []
    if consultation.public_comments:
        try:
            page = max(1, min(int(request.query_params.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        shown = await store.public_comments(spec.id, target, limit=PUBLIC_PER_PAGE + 1,
                                            offset=(page - 1) * PUBLIC_PER_PAGE)
    t = translations(lang)
    order = {"commenter_type": 0, "stance": 1, "proposal": 2, "text": 3}
    summary = [{"id": f"comment-{name}" if name != "stance" and name != "commenter_type"
                else f"comment-{name}-0", "message": message}
               for name, message in sorted(errors.items(), key=lambda kv: order[kv[0]])]
    return render(request, "consultation/article.html", {
        "spec": spec, "consultation": consultation, "article": found, "target": target,
        "token": token, "values": values, "errors": errors, "summary": summary,
        "stances": [(key, t.gettext(name)) for key, name in STANCE_NAMES.items()],
        "commenters": [(key, t.gettext(COMMENTER_NAMES[key]))
                       for key in consultation.commenters],
        "public": shown[:PUBLIC_PER_PAGE], "more": len(shown) > PUBLIC_PER_PAGE,
        "names": names(t.gettext), "tz": request.state.tz,
    }, lang=lang, languages=spec.languages, status_code=status_code)


async def review(request: Request, spec: FormSpec) -> Response:
    """``/f/<id>/review`` of a consultation: the visit's comments, each to change or
    take back, the form's questions, and the button that sends them all."""
    lang = page_language(request, spec.languages)
    if (closed := await citizen.closed_page(request, spec, lang)) is not None:
        return closed
    page = spec.pages[0]
    if request.method == "GET":
        token, answers = await _visit(request, spec)
        form = bind(page, answers={k: v for k, v in answers.items() if k != COMMENTS})
        return _review_page(request, spec, lang, token, answers, form,
                            added=request.query_params.get("added"),
                            removed=request.query_params.get("removed"))
    data = await citizen.read_form(request)
    token = citizen.check_post(request, data)
    response_id, flagged = await store.token_state(token)
    if response_id is not None:
        return citizen.to_thanks(request, spec, token, citizen.link_secret(request, token))
    if flagged is not None and flagged[1]:
        return citizen.to_thanks(request, spec, token)
    if token != citizen.session_token(request, spec):
        raise HTTPException(403, csrf.EXPIRED)  # a token from another visit
    draft = await store.load_draft(token)
    answers = dict(draft.answers) if draft else {}
    comments = _comments_of(spec, answers)
    action = str(data.get(citizen.ACTION_FIELD) or "")
    if action.startswith("remove:"):
        target = action.removeprefix("remove:")
        answers[COMMENTS] = [c.to_json() for c in comments if c.article != target]
        await store.save_draft(token, spec, answers, 0)
        return citizen.redirect(path_for(request, "review", form_id=spec.id)
                                 + "?removed=" + target)
    questions_answers = {k: v for k, v in answers.items() if k != COMMENTS}
    form, ok, checked = citizen.validate_page(spec, page, data, questions_answers, lang)
    # Shown again, the page keeps what was just ticked (the notice's boxes among it).
    now = checked | {COMMENTS: answers.get(COMMENTS, [])}
    if not comments:
        await store.save_draft(token, spec, checked | {COMMENTS: []}, 0)
        return _review_page(request, spec, lang, token, now, form, empty=True)
    if not ok:
        return _review_page(request, spec, lang, token, now, form)
    suspect = flagged[0] if flagged is not None else None
    if data.get(citizen.HONEYPOT_FIELD) and suspect is None:
        suspect = "honeypot"
        await store.mark_suspect(spec, token, lang, suspect)
    try:
        return await citizen.finish(request, spec, token, lang, checked, suspect,
                                     checked=True, comments=_ordered(spec, comments))
    except citizen.TooManySubmissions:
        response = _review_page(request, spec, lang, token, now, form, notice="limited")
        response.status_code = 429
        response.headers["Retry-After"] = str(int(citizen.RATE_WINDOW.total_seconds()))
        return response


def _review_page(request: Request, spec: FormSpec, lang: str, token: str,
                 answers: dict[str, Any], form: Any, added: str | None = None,
                 removed: str | None = None, empty: bool = False,
                 notice: str | None = None, status_code: int = 200) -> Response:
    """The review page: the visit's comments, then the form's questions (*form*: their
    fields, bound), with the notice of a comment just kept (*added*) or taken back
    (*removed*), or of why nothing was sent (*empty*, *notice*)."""
    page = spec.pages[0]
    questions_answers = {k: v for k, v in answers.items() if k != COMMENTS}
    notice_here = citizen.shows_notice(spec, page, questions_answers)
    decided = citizen.undecided(questions_answers) if notice_here else questions_answers
    items = [
        {"q": q, "fields": [form[key] for key in q.columns],
         "condition": q.show_if.to_json() if q.show_if and live(q, page) else None}
        for q in shown_on(spec, page, decided, live_only=False)
    ]
    errors = [
        {"id": citizen.field_id(field), "question": item["q"].label, "message": message}
        for item in items for field in item["fields"] for message in field.errors
    ]
    t = translations(lang)
    if empty:
        errors.insert(0, {"id": "your-comments", "question": None,
                          "message": t.gettext("Write at least one comment before sending")})
    return render(request, "consultation/review.html", {
        "spec": spec, "consultation": consultation_of(spec), "token": token,
        "comments": _ordered(spec, _comments_of(spec, answers)),
        "labels": consultation_of(spec).headings, "names": names(t.gettext), "items": items,
        "errors": errors, "field_id": citizen.field_id, "added": added, "earlier_answers": {},
        "privacy": citizen.notice_view(spec, lang, items, questions_answers)
        if notice_here else None,
        "notice": notice, "removed": removed,
    }, lang=lang, languages=spec.languages, status_code=status_code)


async def synthesis(request: Request) -> Response:
    """``/f/<id>/synthesis``: once published, the agency's answers to the comments,
    article by article, and the revised draft beside the original."""
    spec = citizen.public_form(request)
    consultation = consultation_of(spec)
    published = await store.synthesis_published(spec.id)
    if published is None:
        raise HTTPException(404)
    lang = page_language(request, spec.languages)
    report = await assemble(spec, public=True)
    changes = compare(consultation.document, consultation.revised) \
        if consultation.revised else []
    t = translations(lang)
    return render(request, "consultation/synthesis.html", {
        "spec": spec, "consultation": consultation, "report": report, "changes": changes,
        "published": published, "labels": consultation.headings, "names": names(t.gettext),
        "tz": request.state.tz,
    }, lang=lang, languages=spec.languages)
