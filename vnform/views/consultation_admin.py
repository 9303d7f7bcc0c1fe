"""A consultation's pages for officials: comments counted per article, the comments
themselves (filtered, grouped when they say the same, tagged), their moderation, the
agency's answers, and the synthesis report (page, Word, CSV/XLSX, publication).

Anyone who may see the form reads its comments; those who design its agency's forms
(administrators, publishers, editors) tag, moderate and answer them; those who publish
them publish the synthesis, once the consultation has closed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from vnform import csrf, export, store
from vnform.consultation.comments import ANSWERS, COMMENTER_NAMES, STANCES, names
from vnform.consultation.exports import comment_columns, comment_rows
from vnform.consultation.synthesis import assemble, synthesis_docx
from vnform.forms.registry import closed_reason
from vnform.forms.spec import FormSpec
from vnform.i18n import translations
from vnform.store.comments import STATUSES, CommentFilters, clean_tags
from vnform.views import admin
from vnform.views.auth import client_address, signed_in
from vnform.views.render import page_language, path_for

COMMENTS_PER_PAGE = 25
MAX_ANSWER_LENGTH = 5000
MAX_REASON_LENGTH = 500


def _consultation(request: Request) -> FormSpec:
    spec = admin._form(request)
    if spec.consultation is None:
        raise HTTPException(404)
    return spec


@signed_in
async def dashboard(request: Request) -> Response:
    """``/admin/forms/<id>``: a consultation's overview (``?view=questions``: the results
    of its questions, as a survey's), or a survey's results."""
    spec = admin._form(request)
    if spec.consultation is None or request.query_params.get("view") == "questions":
        return await admin.dashboard.__wrapped__(request)  # type: ignore[attr-defined]
    return await overview(request, spec)


async def overview(request: Request, spec: FormSpec) -> Response:
    """``/admin/forms/<id>`` of a consultation: per article, its comments counted by
    stance and by kind of commenter; then the comments, as ``/comments`` lists them."""
    lang = page_language(request)
    counts = await store.article_counts(spec.id)
    assert spec.consultation is not None
    rows = [(target, counts.get(target)) for target in spec.consultation.targets]
    # Comments on articles the draft no longer has (a revised document) stay counted.
    rows += [(target, counter) for target, counter in sorted(counts.items())
             if target not in spec.consultation.targets]
    totals = (await store.form_totals([spec.id])).get(spec.id, store.FormTotal())
    return await admin._page(request, "admin/consultation.html", admin.page_context(
        request, spec=spec, **await _listing(request, spec, lang), articles=rows,
        comments_total=sum(c["all"] for c in counts.values()), totals=totals,
        flagged=await store.flagged_count(spec.id),
        published=await store.synthesis_published(spec.id),
    ), lang=lang)


def _headings(spec: FormSpec) -> dict[str, str]:
    assert spec.consultation is not None
    return spec.consultation.headings


def _filters(request: Request, spec: FormSpec) -> CommentFilters:
    """The comment filters of the query; a value that is not one of its kind is left
    out (as if not chosen)."""
    assert spec.consultation is not None
    q = request.query_params
    article = q.get("article") if q.get("article") in spec.consultation.targets else None
    answered = {"yes": True, "no": False}.get(q.get("answered", ""))
    return CommentFilters(
        article=article,
        stance=q.get("stance") if q.get("stance") in (*STANCES, "none") else None,
        commenter_type=q.get("type") if q.get("type") in COMMENTER_NAMES else None,
        tag=(q.get("tag") or "")[:60] or None,
        status=q.get("status") if q.get("status") in STATUSES else None,
        answered=answered,
    )


def _query(filters: CommentFilters) -> dict[str, str]:
    values = {"article": filters.article, "stance": filters.stance,
              "type": filters.commenter_type, "tag": filters.tag, "status": filters.status,
              "answered": None if filters.answered is None else
              ("yes" if filters.answered else "no")}
    return {key: value for key, value in values.items() if value}


async def _listing(request: Request, spec: FormSpec, lang: str) -> dict[str, Any]:
    """The comments the query asks for, newest first, a page of them, and (on the first
    page, unless one group is asked for) the groups of comments that say the same."""
    filters = _filters(request, spec)
    page = admin._page_number(request)
    group_of = request.query_params.get("group", "")
    group = await store.fingerprint_of(spec.id, int(group_of)) \
        if group_of.isdigit() and len(group_of) < 19 else None
    if group_of and group is None:
        raise HTTPException(404)
    groups: list[Any] = []
    if group is not None:
        filters = replace(filters, fingerprint=group)
    total, rows = await store.comments_page(spec.id, filters, page, COMMENTS_PER_PAGE)
    if group is None and page == 1:
        groups = await store.comment_groups(spec.id, filters)
    query = _query(filters) | ({"group": group_of} if group is not None else {})
    return {
        "rows": rows, "total": total, "page": page, "groups": groups,
        "pages": admin._page_count(total, COMMENTS_PER_PAGE), "query": urlencode(query),
        "filters": filters, "labels": _headings(spec),
        "names": names(translations(lang).gettext),
        "tags": await store.form_tags(spec.id), "group": group_of if group else None,
        "can_act": request.state.official.can_design(spec.agency), "stances": STANCES,
        "answers": ANSWERS, "done": request.query_params.get("done"),
        "back": urlencode(query | ({"page": str(page)} if page > 1 else {})),
    }


@signed_in
async def comments(request: Request) -> Response:
    """``/admin/forms/<id>/comments``: the comments, newest first, filtered; the groups
    of comments that say the same first; ``?group=<comment id>``: one group."""
    spec = _consultation(request)
    lang = page_language(request)
    return await admin._page(request, "admin/comments.html", admin.page_context(
        request, spec=spec, **await _listing(request, spec, lang)), lang=lang)


async def _acted_on(request: Request, spec: FormSpec) -> tuple[Any, int, bool]:
    """The posted form of an action on a comment, the comment of the URL, and whether
    the action applies to its whole group (``apply_to=group``)."""
    if not request.state.official.can_design(spec.agency):
        raise HTTPException(403)
    data = await request.form(max_fields=20, max_files=0)
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    comment_id = int(request.path_params["comment_id"])
    if await store.fingerprint_of(spec.id, comment_id) is None:
        raise HTTPException(404)
    return data, comment_id, data.get("apply_to") == "group"


def _back(request: Request, spec: FormSpec, data: Any, done: str) -> Response:
    """Back to the list the official acted from, saying what was done."""
    back = str(data.get("back") or "")
    query = back if all(c.isalnum() or c in "=&%-_.+" for c in back) else ""
    anchor = f"#comment-{request.path_params['comment_id']}"
    url = path_for(request, "comments", form_id=spec.id) + "?" + \
        (query + "&" if query else "") + f"done={done}{anchor}"
    return RedirectResponse(url, 303)


@signed_in
async def tag(request: Request) -> Response:
    spec = _consultation(request)
    data, comment_id, group = await _acted_on(request, spec)
    tags = clean_tags(str(data.get("tags") or ""))
    changed = await store.set_comment_tags(spec.id, comment_id, tags, group)
    await store.audit("comments_tagged", actor=request.state.official.email, form_id=spec.id,
                      comments=changed, tags=tags, address=client_address(request))
    return _back(request, spec, data, "tagged")


@signed_in
async def moderate(request: Request) -> Response:
    spec = _consultation(request)
    data, comment_id, group = await _acted_on(request, spec)
    decision = str(data.get("decision") or "")
    reason = " ".join(str(data.get("reason") or "").split())[:MAX_REASON_LENGTH]
    if decision not in ("approved", "hidden"):
        raise HTTPException(400)
    if decision == "hidden" and not reason:
        return _back(request, spec, data, "reason_needed")
    changed = await store.moderate_comments(spec.id, comment_id, decision, reason or None,
                                            request.state.official.email, group)
    await store.audit("comments_moderated", actor=request.state.official.email,
                      form_id=spec.id, comments=changed, decision=decision,
                      **({"reason": reason} if reason and decision == "hidden" else {}),
                      address=client_address(request))
    return _back(request, spec, data, decision)


@signed_in
async def answer(request: Request) -> Response:
    spec = _consultation(request)
    data, comment_id, group = await _acted_on(request, spec)
    kind = str(data.get("answer") or "")
    text = str(data.get("answer_text") or "").strip()[:MAX_ANSWER_LENGTH]
    if kind not in ANSWERS:
        return _back(request, spec, data, "answer_needed")
    if kind == "explained" and not text:
        return _back(request, spec, data, "explanation_needed")
    changed = await store.answer_comments(spec.id, comment_id, kind, text,
                                          request.state.official.email, group)
    await store.audit("comments_answered", actor=request.state.official.email,
                      form_id=spec.id, comments=changed, answer=kind,
                      address=client_address(request))
    return _back(request, spec, data, "answered")


def _closed(request: Request, spec: FormSpec) -> bool:
    return closed_reason(spec, dt.datetime.now(dt.UTC), request.state.tz) in (
        "closed", "ended")


@signed_in
async def synthesis(request: Request) -> Response:
    """``/admin/forms/<id>/synthesis``: the report, its downloads, and its publication."""
    spec = _consultation(request)
    lang = page_language(request)
    report = await assemble(spec)
    official = request.state.official
    return await admin._page(request, "admin/synthesis.html", admin.page_context(
        request, spec=spec, report=report, names=names(translations(lang).gettext),
        labels=_headings(spec),
        published=await store.synthesis_published(spec.id), closed=_closed(request, spec),
        can_publish=official.can_publish(spec.agency),
    ), lang=lang)


@signed_in
async def synthesis_download(request: Request) -> Response:
    """The synthesis as ``.docx``, or its comments as ``.csv``/``.xlsx`` (one row per
    comment: article, stance, commenter, text, proposal, tags, answer)."""
    spec = _consultation(request)
    fmt = request.path_params["format"]
    lang = page_language(request)
    official = request.state.official
    day = dt.datetime.now(request.state.tz).date()
    name = export.file_name(spec.id, day, fmt, "-synthesis")
    disposition = {"Content-Disposition": f"attachment; filename=\"{name}\""}
    if fmt == "docx":
        # Building the document is CPU work: off the event loop, citizens' pages go on.
        content = await asyncio.to_thread(synthesis_docx, await assemble(spec), lang)
        await store.audit("synthesis_downloaded", actor=official.email, form_id=spec.id,
                          format=fmt, address=client_address(request))
        return Response(content, headers=disposition, media_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(404)
    cols = comment_columns()
    batches = comment_rows(spec.id, store.iter_responses(spec.id))
    stream = export.csv_stream(cols, batches, excel=True) if fmt == "csv" \
        else export.xlsx_stream(cols, batches)
    await store.audit("synthesis_downloaded", actor=official.email, form_id=spec.id,
                      format=fmt, address=client_address(request))
    return StreamingResponse(stream, media_type=export.MEDIA_TYPES[fmt], headers=disposition)


@signed_in
async def publish(request: Request) -> Response:
    """Publish the synthesis at ``/f/<id>/synthesis`` (the consultation closed), or
    withdraw it."""
    spec = _consultation(request)
    official = request.state.official
    if not official.can_publish(spec.agency):
        raise HTTPException(403)
    data = await request.form(max_fields=5, max_files=0)
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    publishing = data.get("action") != "withdraw"
    if publishing and not _closed(request, spec):
        raise HTTPException(409, "The synthesis is published once the consultation closes.")
    await store.publish_synthesis(spec.id, official.email, publishing)
    await store.audit("synthesis_published" if publishing else "synthesis_withdrawn",
                      actor=official.email, form_id=spec.id, address=client_address(request))
    return RedirectResponse(path_for(request, "synthesis_admin", form_id=spec.id), 303)
