"""The citizen's pages: the list of forms, each form page, review, thank-you.

Flow: GET shows a page; POST validates it, keeps the answers of a multi-page form in
a server-side draft keyed by the form's one-time token, and redirects (post/redirect/
get) to the next page, the review page or the thank-you page. Pressing Enter posts no
button value, which means "continue".

Case invitations: ``GET /f/<id>?t=<signed token>`` (see :mod:`vnform.links`) binds a
fresh visit to the invited case and redirects to the form's plain address, so that a
reload or Back never restarts it. The response records the case and uses the invitation
in one transaction. A link that opens nothing (altered, or for another form) gets 404; a
case already rated gets the "already rated" page: 200 when a link or page is opened,
409 when answers are sent, and nothing is stored.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from vnform import csrf, privacy, references, store
from vnform.answers import Answers, keep_visible, visible_questions
from vnform.collation import sort_key
from vnform.consultation.comments import CommentDraft
from vnform.formbuild import PageForm, bind, validate
from vnform.forms.registry import closed_reason
from vnform.forms.spec import FormSpec, Page
from vnform.i18n import translations
from vnform.links import QUERY_PARAMETER, read_invitation_token
from vnform.navigation import (
    live,
    multi_page,
    next_page,
    page_answers,
    page_keys,
    previous_page,
    shown_on,
    visible_pages,
    without_page,
)
from vnform.views import errors
from vnform.views.auth import client_address
from vnform.views.render import page_language, path_for, public_url, render, render_text

log = logging.getLogger("vnform")

TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")
#: Citizens' forms send no files, so multipart bodies are refused outright.
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 500
TOKEN_FIELD = "_token"
ACTION_FIELD = "_action"


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "forms": len(request.state.registry.forms)})


async def index(request: Request) -> Response:
    lang = page_language(request)
    capped = [spec.id for spec in request.state.registry.forms.values() if spec.max_responses]
    counts = await store.counts_by_form(capped)
    now = dt.datetime.now(dt.UTC)
    forms = [
        spec for spec in request.state.registry.forms.values()
        if closed_reason(spec, now, request.state.tz, counts.get(spec.id, 0)) is None
        and spec.status == "open" and not spec.invitation_only
    ]
    forms.sort(key=lambda spec: sort_key(spec.title.get(lang)))
    return render(request, "index.html", {"forms": forms}, lang=lang)


async def page(request: Request) -> Response:
    spec = public_form(request)
    if spec.consultation is not None and preview_of(request) is None:
        raise HTTPException(404)  # a consultation's pages are vnform.views.consultation's
    lang = page_language(request, spec.languages)
    current = _find_page(spec, request.path_params.get("page_id"))
    if request.method == "GET":
        if (closed := await closed_page(request, spec, lang)) is not None:
            return closed
        if QUERY_PARAMETER in request.query_params:
            return await _accept_invitation(request, spec, lang)
        if (refused := _audience_refusal(request, spec, lang)) is not None:
            return refused
        if await _bound_case_rated(request, spec):
            return _rated_page(request, spec, lang)
        return await _show(request, spec, current, lang)
    try:
        if (closed := await closed_page(request, spec, lang)) is not None:
            return closed
        return await _post(request, spec, current, lang)
    except TooManySubmissions:
        return await _busy(request, spec, current, lang, "limited")
    except Exception as exc:
        if not store.is_transient(exc):
            raise
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
        return await _busy(request, spec, current, lang, "busy")


async def _busy(request: Request, spec: FormSpec, current: Page, lang: str,
                notice: str) -> Response:
    """The page again, holding what the citizen sent, when it could not be taken now:
    the database was too busy (*notice* ``busy``: 503), or this address sent too many
    submissions in the last minute (``limited``: 429). Either comes with Retry-After and
    never costs the citizen their answers; the one-time token is the same, so sending
    again stores the response once."""
    data = await read_form(request)  # read (and checked) before the failure
    token = str(data.get(TOKEN_FIELD))
    answers: dict[str, Any] = {}
    everything = False
    if multi_page(spec):  # earlier pages decide which questions this page shows
        try:
            draft = await store.load_draft(token)
            answers = {k: v for k, v in (draft.answers if draft else {}).items()
                       if k != PENDING}
        except Exception as again:  # noqa: BLE001 - still busy: show every question
            log.warning("could not read the draft either: %s", again)
            everything = True
    form = bind(current, formdata=data)
    response = _render_page(request, spec, current, lang, form, answers, token,
                            returning=data.get(RETURN_FIELD) == "review", notice=notice,
                            every_question=everything)
    if notice == "limited":
        response.status_code = 429
        response.headers["Retry-After"] = str(int(RATE_WINDOW.total_seconds()))
    else:
        response.status_code = 503
        response.headers["Retry-After"] = errors.RETRY_AFTER
    return response


RATE_WINDOW = dt.timedelta(minutes=1)


class TooManySubmissions(Exception):
    """This address sent the form its rate limit of submissions in the last minute."""


def _rate_claim(request: Request, spec: FormSpec) -> store.RateClaim | None:
    """What counts this submission against its address's limit on the form; None when
    the form has no limit. The key is an HMAC of form and address (an IPv6 address by
    its /64, which one household holds): the table never holds an address."""
    settings = request.state.settings
    limit = spec.rate_limit if spec.rate_limit is not None else settings.rate_limit
    if not limit:
        return None
    address = client_address(request)
    if ":" in address:
        with contextlib.suppress(ValueError):
            address = str(ipaddress.ip_network(f"{address}/64", strict=False))
    key = hmac.new(settings.secret_key.encode(), f"{spec.id}|{address}".encode(),
                   hashlib.sha256).hexdigest()
    return store.RateClaim(key, limit, RATE_WINDOW)


INVITED = "invited"  # session key: {form id: {"id", "case", "token"}} of invited visits


async def _accept_invitation(request: Request, spec: FormSpec, lang: str) -> Response:
    """Bind this visit to the case of the link's invitation, then show the first page."""
    secret = read_invitation_token(request.query_params[QUERY_PARAMETER],
                                   request.state.settings.secret_key)
    invitation = await store.invitation_by_secret(secret) if secret else None
    if invitation is None or invitation.form_id != spec.id:
        return render(request, "closed.html", {"spec": spec, "reason": "bad_link"},
                      lang=lang, languages=spec.languages, status_code=404)
    if invitation.used or await store.case_rated(spec.id, invitation.case_code):
        return _rated_page(request, spec, lang)
    bound = _bound_invitation(request, spec)
    if bound is None or bound["id"] != invitation.id:
        # A fresh visit: a new one-time token, so no earlier answers join this case.
        tokens = request.session.get("tokens", {})
        tokens[spec.id] = secrets.token_urlsafe(24)
        request.session["tokens"] = tokens
        _start_clock(request, spec)
        invited = request.session.get(INVITED, {})
        invited[spec.id] = {"id": invitation.id, "case": invitation.case_code,
                            "token": tokens[spec.id]}
        request.session[INVITED] = invited
    # The same link opened again during its visit continues it.
    return redirect(path_for(request, _route(request, "form"), form_id=spec.id))


def _bound_invitation(request: Request, spec: FormSpec,
                      token: str | None = None) -> dict[str, Any] | None:
    """The invitation this visit (the session's current token, or *token*) answers."""
    bound = request.session.get(INVITED, {}).get(spec.id)
    current = token or request.session.get("tokens", {}).get(spec.id)
    if bound is None or bound.get("token") != current:
        return None
    return dict(bound)


async def _bound_case_rated(request: Request, spec: FormSpec) -> bool:
    """Whether this visit's case was rated meanwhile (the link opened in two browsers)."""
    bound = _bound_invitation(request, spec)
    return bound is not None and await store.case_rated(spec.id, bound["case"])


#: Which one_response_per: device forms this browser answered: a keyed hash of each
#: form's id (the cookie tells nobody which surveys were answered).
ANSWERED_COOKIE = "vnform_answered"


def _answered_here(request: Request) -> set[str]:
    return set(request.cookies.get(ANSWERED_COOKIE, "").split())


def _answered_mark(request: Request, form_id: str) -> str:
    """What the cookie holds for *form_id*: an HMAC of it under the deployment's key."""
    key = request.state.settings.secret_key.encode()
    return hmac.new(key, f"answered:{form_id}".encode(), hashlib.sha256).hexdigest()[:20]


def _answered(request: Request, spec: FormSpec) -> bool:
    """Whether this browser answered *spec* (its mark, or its id as older versions of
    vnform wrote it)."""
    marks = _answered_here(request)
    return _answered_mark(request, spec.id) in marks or spec.id in marks


def _audience_refusal(request: Request, spec: FormSpec, lang: str,
                      token: str | None = None) -> Response | None:
    """The page refusing this visit when the form is not for it: an invitation-only
    form without this visit's invitation, or a one-per-device form this browser has
    answered. None when the visit may go on (always, in a preview)."""
    if preview_of(request) is not None:
        return None
    if spec.invitation_only and _bound_invitation(request, spec, token) is None:
        reason, status = "invitation_only", 403
    elif (spec.one_response_per == "device" and _answered(request, spec)
          and _bound_invitation(request, spec, token) is None):  # a new case is new
        reason, status = "answered", 200 if request.method == "GET" else 409
    else:
        return None
    return render(request, "closed.html", {"spec": spec, "reason": reason}, lang=lang,
                  languages=spec.languages, status_code=status)


def _rated_page(request: Request, spec: FormSpec, lang: str, status_code: int = 200) -> Response:
    return render(request, "closed.html", {"spec": spec, "reason": "rated"}, lang=lang,
                  languages=spec.languages, status_code=status_code)


PENDING = "_pending"  # draft key: raw values a citizen left invalid when going Back
RETURN_FIELD = "_return"


async def _show(request: Request, spec: FormSpec, current: Page, lang: str) -> Response:
    fresh = _key(request, spec) not in request.session.get("tokens", {})
    token = session_token(request, spec)
    # A token made just now has no draft yet.
    draft = await store.load_draft(token) if multi_page(spec) and not fresh else None
    if draft is None and current.index == 0 and _first_visit(request):
        return _first_visit_page(request, spec, current, lang, token)
    answers = dict(draft.answers) if draft else {}
    reached = draft.reached if draft else 0
    if draft is not None and draft.version != spec.version:
        # A new version went live while the citizen was answering: they walk through it
        # again from its first page, told why, their answers kept where questions still are.
        await store.save_draft(token, spec, answers, 0)
        return redirect(_step_url(request, spec, 0) + "?updated=1")
    notice = "changed" if request.query_params.get("updated") == "1" else None
    if current.index > reached:
        return redirect(_step_url(request, spec, reached))
    pending = answers.pop(PENDING, {}).get(current.id, {})
    form = bind(current, answers=page_answers(current, answers) | pending)
    if pending or request.query_params.get("incomplete"):
        validate(form, shown_on(spec, current, answers), lang, translations(lang))
    returning = request.query_params.get("return") == "review" and reached >= len(spec.pages)
    return _render_page(request, spec, current, lang, form, answers, token, returning,
                        notice=notice)


async def _post(request: Request, spec: FormSpec, current: Page, lang: str) -> Response:
    data = await read_form(request)
    token = check_post(request, data)
    if preview_of(request) is not None and await store.preview_response_of(token):
        return to_thanks(request, spec, token)
    response_id, flagged = await store.token_state(token)
    if response_id is not None:
        # Posted again (a double click, a retry after a timeout): the same answers lead
        # to the same thank-you page; different answers under a used token are refused.
        if not await _same_as_stored(spec, current, data, response_id, lang):
            return render(request, "closed.html", {"spec": spec, "reason": "conflict"},
                          lang=lang, languages=spec.languages, status_code=409)
        return to_thanks(request, spec, token, link_secret(request, token))
    if flagged is not None and flagged[1]:  # kept apart already, and sent again
        return to_thanks(request, spec, token)
    if token != session_token(request, spec):
        raise HTTPException(403, csrf.EXPIRED)  # a token from another visit or form
    if (refused := _audience_refusal(request, spec, lang, token)) is not None:
        return refused
    suspect = flagged[0] if flagged is not None else None
    if data.get(HONEYPOT_FIELD) and suspect is None:
        suspect = "honeypot"
        await store.mark_suspect(spec, token, lang, suspect)
    draft = await store.load_draft(token) if multi_page(spec) else None
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    pending: dict[str, Any] = answers.pop(PENDING, {})
    pending.pop(current.id, None)
    reached = draft.reached if draft else 0
    if current.index > reached:
        return redirect(_step_url(request, spec, reached))

    form, ok, answers = validate_page(spec, current, data, answers, lang)
    if data.get(ACTION_FIELD) == "back":
        # Nothing typed is lost: invalid values wait, with their errors, for the return.
        invalid = {field.name: field.data for field in form if field.errors}
        if invalid:
            pending[current.id] = invalid
        await store.save_draft(token, spec, answers | {PENDING: pending}, reached)
        return redirect(_page_url(request, spec, previous_page(spec, current, answers)))
    if not ok:
        returning = data.get(RETURN_FIELD) == "review"
        return _render_page(request, spec, current, lang, form, answers, token, returning)
    if draft is not None and draft.version != spec.version:
        # A new version went live meanwhile: this page's answers are kept, and the
        # citizen walks through the new version from its first page, told why.
        await store.save_draft(token, spec, answers | {PENDING: pending}, 0)
        return redirect(_step_url(request, spec, 0) + "?updated=1")
    following = next_page(spec, current, answers)
    done_before = reached >= len(spec.pages)
    if following is not None and not (done_before and data.get(RETURN_FIELD) == "review"):
        await store.save_draft(token, spec, answers | {PENDING: pending},
                               max(reached, following.index))
        return redirect(_page_url(request, spec, following))
    if spec.review or current is not spec.pages[-1] or done_before:
        # Check-your-answers: asked for, or the flow ended early because later pages no
        # longer apply, or the citizen came from the review page to change an answer.
        await store.save_draft(token, spec, answers | {PENDING: pending}, len(spec.pages))
        return redirect(path_for(request, _route(request, "review"), form_id=spec.id))
    # A one-page form's answers were all validated just now, against the form as it is.
    return await finish(request, spec, token, lang, answers, suspect,
                         checked=not multi_page(spec))


async def _same_as_stored(spec: FormSpec, current: Page, data: Any, response_id: int,
                          lang: str) -> bool:
    """Whether a repeated post of *current* carries the answers already stored for it."""
    stored = await store.response_detail(spec.id, response_id, officials=False)
    if stored is None:
        return False
    before: dict[str, Any] = {
        key: values if (q := spec.question(key.partition(".")[0])) and q.multiple
        else values[0]
        for key, values in stored.answers.items()
    }
    _form, _ok, after = validate_page(spec, current, data, before, lang)
    keys = page_keys(current)
    return {k: v for k, v in after.items() if k in keys} == \
        {k: v for k, v in before.items() if k in keys}


def validate_page(spec: FormSpec, current: Page, data: Any, answers: dict[str, Any],
                   lang: str) -> tuple[PageForm, bool, dict[str, Any]]:
    """Validate a posted page; which of its questions show depends on its own answers,
    so every field is checked, then the answers and errors of the questions shown kept.
    On the page of the personal-data notice, the citizen's answer to it decides whether
    its questions show: declined, they are skipped and their answers dropped."""
    t = translations(lang)
    notice_here = shows_notice(spec, current, answers)
    if notice_here:
        answers = undecided(answers)
    form = bind(current, formdata=data)
    validate(form, current.questions, lang, t)
    decided: dict[str, str] = {}
    given: list[Any] = []
    before = without_page(answers, current) | form.clean
    showing = None
    if notice_here:
        agreed = data.get(privacy.CONSENT_FIELD) == "yes"
        # Answers to questions their conditions hide are dropped anyway, not asked about.
        showing = shown_on(spec, current, before)
        given = [form[key] for q in showing if q.personal_data for key in q.columns
                 if form.clean.get(key) not in (None, "", [])]
        if agreed or not given:  # given without agreeing: asked again, nothing decided
            decided = {privacy.CONSENT: "yes" if agreed else "no",
                       privacy.CONSENT_PAGE: current.id}
            if spec.contact_consent is not None:
                decided[privacy.CONTACT] = \
                    "yes" if agreed and data.get(privacy.CONTACT_FIELD) == "yes" else "no"
            given = []
    # Agreeing (or not answering yet) shows what *showing* holds; declining hides more.
    shown = showing if showing is not None and decided.get(privacy.CONSENT) != "no" \
        else shown_on(spec, current, before | decided)
    # Each field was checked once above, whatever its question's condition: the answers
    # and errors of the questions shown are kept, those of the hidden ones dropped.
    keys = {key for q in shown for key in q.columns}
    form.clean = {key: value for key, value in form.clean.items() if key in keys}
    ok = True
    for field in form:
        if field.name not in keys:
            field.errors = []
        elif field.errors:
            ok = False
    for field in given[:1]:
        field.errors.append(t.gettext(
            "To give this answer, tick the box above to agree to how it is used, or leave "
            "it empty."))
        ok = False
    return form, ok, without_page(answers, current) | form.clean | decided


def undecided(answers: Mapping[str, Any]) -> dict[str, Any]:
    """*answers* without the citizen's answer to the personal-data notice."""
    return {key: value for key, value in answers.items() if key not in privacy.DECISION}


def shows_notice(spec: FormSpec, current: Page, answers: Mapping[str, Any]) -> bool:
    """Whether *current* shows the personal-data notice: the first page that shows a
    personal-data question before the citizen answered the notice, and afterwards the
    page where they answered it (to change their mind)."""
    if not spec.personal_questions:
        return False
    if privacy.consent_of(answers) is not None:
        return answers.get(privacy.CONSENT_PAGE) == current.id
    return any(q.personal_data for q in shown_on(spec, current, answers, live_only=False))


def _check_all(spec: FormSpec, answers: Answers,
               lang: str) -> tuple[dict[str, str | list[str]], Page | None]:
    """Every shown answer cleaned again (the form file may have changed since it was
    given); returns the clean answers, or the first page that needs the citizen again."""
    final = keep_visible(spec, answers)
    clean: dict[str, str | list[str]] = {}
    shown = visible_questions(spec, final)
    for current in spec.pages:
        questions = [q for q in shown if q.page_index == current.index]
        form = bind(current, answers=page_answers(current, final))
        if questions and not validate(form, questions, lang, translations(lang)):
            return clean, current
        clean.update(form.clean)
    return clean, None


async def review(request: Request) -> Response:
    spec = public_form(request)
    if not multi_page(spec):
        raise HTTPException(404)
    lang = page_language(request, spec.languages)
    if (closed := await closed_page(request, spec, lang)) is not None:
        return closed
    if request.method == "POST":
        token = check_post(request, await read_form(request))
        response_id, flagged = await store.token_state(token)
        if response_id is not None:
            return to_thanks(request, spec, token, link_secret(request, token))
        if preview_of(request) is not None and await store.preview_response_of(token):
            return to_thanks(request, spec, token)
        if flagged is not None and flagged[1]:
            return to_thanks(request, spec, token)
        if token != session_token(request, spec):
            raise HTTPException(403, csrf.EXPIRED)
    else:
        token, flagged = session_token(request, spec), None
    if (refused := _audience_refusal(request, spec, lang, token)) is not None:
        return refused
    if request.method == "GET":
        if await _bound_case_rated(request, spec):
            return _rated_page(request, spec, lang)
    draft = await store.load_draft(token)
    if draft is None or draft.reached < len(spec.pages):
        return redirect(_step_url(request, spec, draft.reached if draft else 0))
    answers, needs = _check_all(spec, draft.answers, lang)
    if needs is not None:
        await store.save_draft(token, spec, draft.answers, needs.index)
        return redirect(_page_url(request, spec, needs) + "?incomplete=1")
    if request.method == "POST":
        try:
            return await finish(request, spec, token, lang, answers,
                                 flagged[0] if flagged is not None else None,
                                 decision=draft.answers)
        except TooManySubmissions:  # the answers wait in the draft meanwhile
            raise HTTPException(429, headers={
                "Retry-After": str(int(RATE_WINDOW.total_seconds()))}) from None
    sections = [
        {"page": p, "questions": [q for q in visible_questions(spec, answers)
                                  if q.page_index == p.index]}
        for p in spec.pages
    ]
    return render(request, "review.html", {
        "spec": spec, "sections": [s for s in sections if s["questions"]], "answers": answers,
        "token": token, "page_url": lambda p: _page_url(request, spec, p) + "?return=review",
    }, lang=lang, languages=spec.languages)


async def thanks(request: Request) -> Response:
    spec = public_form(request)
    lang = page_language(request, spec.languages)
    key = _key(request, spec)
    receipt = request.session.get("done", {}).get(key)
    # Shown once: on a shared device, the next person must not find it here.
    links = request.session.get(LINKS, {})
    secret = links.pop(key, None)
    if secret is not None:
        request.session[LINKS] = links
    link = (public_url(request, path_for(request, "own_response", reference=receipt))
            + f"?k={secret}") if receipt and secret else None
    return render(request, "thanks.html", {"spec": spec, "receipt": receipt, "link": link},
                  lang=lang, languages=spec.languages)


async def finish(request: Request, spec: FormSpec, token: str, lang: str,
                  answers: Answers, suspect: str | None, checked: bool = False,
                  decision: Answers | None = None,
                  comments: Sequence[CommentDraft] = ()) -> Response:
    """Store the response once every shown answer is valid against the form as it is now
    (*checked*: every answer was validated in this request, so is not cleaned again).
    *suspect*: why the visit was marked automated on the server (the caller read it).
    *decision*: the visit's answers holding its answer to the personal-data notice (by
    default *answers*); *comments*: a consultation's, stored with the response."""
    consent = _consent(spec, lang, answers if decision is None else decision)
    final, needs = (dict(answers), None) if checked else _check_all(spec, answers, lang)
    if needs is not None:
        kept = keep_visible(spec, answers) | {
            key: value for key, value in (decision or answers).items()
            if key in privacy.DECISION}  # the answer to the notice stays
        await store.save_draft(token, spec, kept, needs.index)
        return redirect(_page_url(request, spec, needs) + "?incomplete=1")
    if preview_of(request) is not None:  # a test response, kept apart from the responses
        await store.add_preview_response(spec, token, lang, final,
                                         request.state.official.email)
        return to_thanks(request, spec, token)
    if reason := suspect or _too_fast(request, spec):
        # Kept apart, and thanked as anyone else: a bot learns nothing to adapt to (not
        # even the rate limit, which still counts it).
        if (rate := _rate_claim(request, spec)) is not None:
            await store.claim_submission(rate.key, rate.limit, rate.within)
        await store.flag_submission(spec, token, lang, final, reason, comments)
        log.info("submission to %s kept apart as automated (%s)", spec.id, reason)
        return to_thanks(request, spec, token)
    if consent.given is False:  # declined: nothing personal is stored
        final = {key: value for key, value in final.items()
                 if key not in spec.personal_columns}
    bound = _bound_invitation(request, spec, token)
    # The link's secret follows from the form's one-time token: a double click, whose
    # second post stores nothing, leads to the same link.
    secret = link_secret(request, token)
    try:
        await store.submit(
            spec, token, lang, final, request.state.counting, limit=spec.max_responses,
            case_code=bound["case"] if bound else None,
            invitation_id=bound["id"] if bound else None, consent=consent,
            link_hash=privacy.secret_hash(secret), comments=comments,
            rate=_rate_claim(request, spec),  # its mark shares the response's transaction
        )
    except store.OverRateLimit:
        log.info("submission to %s refused: over its rate limit", spec.id)
        raise TooManySubmissions from None
    except store.FormFull:
        return render(request, "closed.html", {"spec": spec, "reason": "full"},
                      lang=lang, languages=spec.languages, status_code=403)
    except store.CaseRated:
        # Another browser rated the case first; these answers are not stored.
        return _rated_page(request, spec, lang, status_code=409)
    return to_thanks(request, spec, token, secret)


def link_secret(request: Request, token: str) -> str:
    """The secret of the private link of the response stored with *token*: a keyed hash
    of the token (the token itself is never shown)."""
    key = request.state.settings.secret_key.encode()
    digest = hmac.new(key, f"link:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def _consent(spec: FormSpec, lang: str, decision: Answers) -> privacy.Consent:
    """The visit's answer to the form's personal-data notice, as stored."""
    if not spec.personal_questions:
        return privacy.NOT_ASKED
    given = privacy.consent_of(decision) is True
    notice_hash = spec.derived.get(("notice_hash", lang))
    if notice_hash is None:  # once per form version and language
        notice_hash = spec.derived[("notice_hash", lang)] = privacy.notice_hash(
            privacy.notice(spec, lang, translations(lang).gettext,
                           lambda text: text.get(lang)))
    contact = (decision.get(privacy.CONTACT) == "yes") if spec.contact_consent else None
    return privacy.Consent(given, str(notice_hash), contact and given)


#: A field people never see or fill (hidden by the stylesheet, and from screen readers);
#: programs that fill every field they find do.
HONEYPOT_FIELD = "_website"  # "_": no question id can take it
LINKS = "links"  # session key: {form key: the secret of the private link just made}
STARTED = "started"  # session key: {form id: when this visit first saw the form (epoch s)}


def _too_fast(request: Request, spec: FormSpec) -> str | None:
    """``too_fast`` when the form was sent sooner than its ``min_seconds`` after this
    visit first saw it, else None."""
    started = request.session.get(STARTED, {}).get(_key(request, spec))
    if spec.min_seconds and isinstance(started, int | float) and \
            time.time() - started < spec.min_seconds:
        return "too_fast"
    return None


def to_thanks(request: Request, spec: FormSpec, token: str,
               secret: str | None = None) -> Response:
    """To the thank-you page, with the response's reference code (and, just stored, the
    secret of the citizen's private link)."""
    tokens = request.session.get("tokens", {})
    key = _key(request, spec)
    if tokens.get(key) == token:
        del tokens[key]
        request.session["tokens"] = tokens
    invited = request.session.get(INVITED, {})
    if invited.get(spec.id, {}).get("token") == token:
        del invited[spec.id]
        request.session[INVITED] = invited
    done = request.session.get("done", {})
    done[key] = receipt_code(token)
    request.session["done"] = done
    links = request.session.get(LINKS, {})
    if secret is not None:
        links[key] = secret
    else:  # no new response here: no link of an earlier one
        links.pop(key, None)
    request.session[LINKS] = links
    started = request.session.get(STARTED, {})
    if started.pop(key, None) is not None:
        request.session[STARTED] = started
    response = redirect(path_for(request, _route(request, "thanks"), form_id=spec.id))
    if spec.one_response_per == "device" and preview_of(request) is None:
        # A form id an older vnform wrote becomes its mark.
        kept = {mark if re.fullmatch(r"[0-9a-f]{20}", mark) else _answered_mark(request, mark)
                for mark in _answered_here(request)}
        answered = " ".join(sorted(kept | {_answered_mark(request, spec.id)}))
        response.set_cookie(ANSWERED_COOKIE, answered, max_age=400 * 24 * 3600,
                            httponly=True, samesite="lax",
                            secure=request.state.settings.https)
    return response


def receipt_code(token: str) -> str:
    """A short reference the citizen can quote, derived from the response's token (stored
    with the response, so that officials can find it: :mod:`vnform.references`)."""
    return references.shown(references.code_of(token))


def _render_page(request: Request, spec: FormSpec, current: Page, lang: str, form: PageForm,
                 answers: Answers, token: str, returning: bool = False,
                 notice: str | None = None, every_question: bool = False) -> Response:
    return render(request, "page.html", _page_context(
        request, spec, current, lang, form, answers, token, returning, notice,
        every_question), lang=lang, languages=spec.languages)


def _page_context(request: Request, spec: FormSpec, current: Page, lang: str,
                  form: PageForm, answers: Answers, token: str, returning: bool = False,
                  notice: str | None = None, every_question: bool = False) -> dict[str, Any]:
    """What page.html shows of *current*: its questions (*form*: their fields, bound),
    errors, notices, and where the citizen is in the form."""
    notice_here = shows_notice(spec, current, answers)
    decision = answers
    if notice_here:  # its questions show, whatever was answered to it before
        answers = undecided(answers)
    questions = (current.questions if every_question
                 else shown_on(spec, current, answers, live_only=False))
    items = [
        {"q": question, "fields": [form[key] for key in question.columns],
         "condition": (question.show_if.to_json()
                       if question.show_if and live(question, current) else None)}
        for question in questions
    ]
    # Earlier answers that live conditions read; a hidden question's answer counts as
    # unanswered, as on the server.
    visible = keep_visible(spec, answers)
    page_ids = {q.id for q in current.questions}
    earlier = {
        name: visible[name] for item in items if item["condition"]
        for name in item["q"].show_if.names if name in visible
        and name.partition(".")[0] not in page_ids
    }
    errors = [
        {"id": field_id(field), "question": item["q"].label, "message": message}
        for item in items for field in item["fields"] for message in field.errors
    ]
    pages = visible_pages(spec, answers)
    position = pages.index(current) + 1 if current in pages else current.index + 1
    # "Submit" only where submitting happens: the form's last page, with no review step.
    submits = current is spec.pages[-1] and not spec.review and not returning
    return {
        "spec": spec, "page": current, "items": items, "errors": errors, "token": token,
        "earlier_answers": earlier, "step": position, "steps": len(pages),
        "first": current.index == 0, "submits": submits, "returning": returning,
        "field_id": field_id, "notice": notice,
        "privacy": notice_view(spec, lang, items, decision) if notice_here else None,
    }


def _first_visit(request: Request) -> bool:
    """Whether this GET shows a page as every first visit sees it: nothing answered (the
    caller found no draft), no notice asked for, not a preview."""
    return preview_of(request) is None and set(request.query_params) <= {"lang"}


def _first_visit_page(request: Request, spec: FormSpec, current: Page, lang: str,
                      token: str) -> Response:
    """*current* as a first visit sees it, rendered once per form, page, language and
    address (:mod:`vnform.page_cache`) and sent with this visit's own tokens."""
    def rendered(marks: Mapping[str, str]) -> str:
        context = _page_context(request, spec, current, lang, bind(current, answers={}), {},
                                marks["token"])
        return render_text(request, "page.html", context | {
            "csrf_token": marks["csrf_token"], "csp_nonce": marks["csp_nonce"]},
            lang=lang, languages=spec.languages)

    # Its language links are the same whatever ?lang= said: the chosen language keys it.
    key = (spec.id, current.id, lang, request.url.path)
    html = request.state.page_cache.page(key, spec, rendered, {
        "csrf_token": csrf.token(request.session), "token": token,
        "csp_nonce": request.state.csp_nonce})
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def notice_view(spec: FormSpec, lang: str, items: list[dict[str, Any]],
                 decision: Answers) -> dict[str, Any] | None:
    """What the page shows of the personal-data notice, before its first personal-data
    question: its lines, and the citizen's answers to its boxes so far."""
    before = next((item["q"].id for item in items if item["q"].personal_data), None)
    if before is None:
        return None
    t = translations(lang)
    return {"before": before,
            "lines": privacy.notice(spec, lang, t.gettext, lambda text: text.get(lang)),
            "agreed": privacy.consent_of(decision) is True,
            "contact": decision.get(privacy.CONTACT) == "yes"}


def field_id(field: Any) -> str:
    """HTML id of a field (and of its first option, which error links focus)."""
    return "q-" + field.name.replace(".", "-")


def public_form(request: Request) -> FormSpec:
    if (previewed := preview_of(request)) is not None:
        return previewed
    spec = request.state.registry.public(request.path_params["form_id"])
    if spec is None:
        raise HTTPException(404)
    return spec


def preview_of(request: Request) -> FormSpec | None:
    """The draft an official previews (``/admin/forms/<id>/preview``), else None: its
    pages are the citizen's, its answers are kept as test responses."""
    return getattr(request.state, "preview", None)


def _route(request: Request, name: str) -> str:
    """The name of the citizen's route *name*, or of its preview twin."""
    return f"preview_{name}" if preview_of(request) is not None else name


def _key(request: Request, spec: FormSpec) -> str:
    """The session's key for this visit of *spec* (a preview's apart from the form's)."""
    return f"preview:{spec.id}" if preview_of(request) is not None else spec.id


def _find_page(spec: FormSpec, page_id: str | None) -> Page:
    if page_id is None:
        return spec.pages[0]
    for candidate in spec.pages:
        if candidate.id == page_id:
            return candidate
    raise HTTPException(404)


async def closed_page(request: Request, spec: FormSpec, lang: str) -> Response | None:
    if preview_of(request) is not None:
        return None  # a preview shows the draft whatever its dates and status
    reason = await why_closed(request, spec)
    if reason is None:
        return None
    # A POST to a closed form stores nothing; its status says so to scripts too.
    status = 200 if request.method == "GET" else 403
    return render(request, "closed.html", {"spec": spec, "reason": reason,
                                           "opens": _opening(spec, request.state.tz)},
                  lang=lang, languages=spec.languages, status_code=status)


async def why_closed(request: Request, spec: FormSpec) -> str | None:
    """Why *spec* takes no answers now (:func:`~vnform.forms.registry.closed_reason`),
    or None; its response count is read only when it has a cap."""
    responses = await store.count_responses(spec.id) if spec.max_responses else None
    return closed_reason(spec, dt.datetime.now(dt.UTC), request.state.tz, responses)


def _opening(spec: FormSpec, tz: Any) -> str | None:
    """When the form opens, in local time: a date, or a date and time."""
    if spec.opens_at is None:
        return None
    if isinstance(spec.opens_at, dt.datetime):
        moment = spec.opens_at if spec.opens_at.tzinfo else spec.opens_at.replace(tzinfo=tz)
        return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y")
    return spec.opens_at.strftime("%d/%m/%Y")


async def read_form(request: Request) -> FormData:
    """The posted fields. Citizens' forms are URL-encoded, read here with the standard
    library's parser (a fraction of the cost of the multipart library's, on every
    submission); too many fields answer 400, and BodyLimit caps the body's size."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise HTTPException(415)
    body = await request.body()
    try:
        return PostedForm(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                                    max_num_fields=MAX_FIELDS))
    except ValueError:
        raise HTTPException(400) from None


class PostedForm(FormData):
    """Posted fields, each name's values found at once: Starlette's ``getlist`` reads
    every field for each name, and a page reads every name of its twenty questions."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        super().__init__(fields)
        self._by_name: dict[str, list[str]] = {}
        for name, value in fields:
            self._by_name.setdefault(name, []).append(value)

    def getlist(self, key: Any) -> list[Any]:
        return list(self._by_name.get(key, ()))


def check_post(request: Request, data: Any) -> str:
    """Refuse a POST without its session's CSRF token; return the form's one-time token."""
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    token = data.get(TOKEN_FIELD)
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise HTTPException(400)
    return token


def session_token(request: Request, spec: FormSpec) -> str:
    """This visit's one-time token for *spec*, created when first needed."""
    tokens = request.session.get("tokens", {})
    key = _key(request, spec)
    if key not in tokens:
        tokens[key] = secrets.token_urlsafe(24)
        request.session["tokens"] = tokens
        _start_clock(request, spec)
    return str(tokens[key])


def _start_clock(request: Request, spec: FormSpec) -> None:
    """Note when this visit first saw the form, for the form's ``min_seconds``."""
    if spec.min_seconds:
        started = request.session.get(STARTED, {})
        started[_key(request, spec)] = int(time.time())
        request.session[STARTED] = started


def _page_url(request: Request, spec: FormSpec, target: Page) -> str:
    if target.index == 0:
        return path_for(request, _route(request, "form"), form_id=spec.id)
    return path_for(request, _route(request, "page"), form_id=spec.id, page_id=target.id)


def _step_url(request: Request, spec: FormSpec, reached: int) -> str:
    if reached >= len(spec.pages):
        return path_for(request, _route(request, "review"), form_id=spec.id)
    return _page_url(request, spec, spec.pages[reached])


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
