"""A citizen's private link to their response: ``/r/<reference>?k=<secret>``.

The thank-you page gives it; only the SHA-256 of its secret is stored. It opens the
answers as given, downloads them as JSON, and deletes them: the personal-data answers,
or the whole response. A deletion is immediate and audited (what was deleted, never
the values); the figures already counted from it stay, as counts
(:mod:`vnform.store.erasure`). A wrong secret, an unknown reference and a link past its
time all get 404, alike.

The link is valid while the form keeps personal data (its ``retention_days`` after the
answers were sent), or :data:`LINK_DAYS` for a form without any.
"""

from __future__ import annotations

import datetime as dt
import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vnform import csrf, masking, privacy, references, store
from vnform.consultation.comments import names
from vnform.datasets import form_versions
from vnform.forms.spec import FormSpec
from vnform.i18n import translations
from vnform.retention import retention_of
from vnform.store.comments import StoredComment
from vnform.views.auth import client_address
from vnform.views.render import page_language, path_for, render

#: Days a private link opens a response to a form without personal data.
LINK_DAYS = 90
SECRET_LENGTH = (16, 64)


async def own_response(request: Request) -> Response:
    own, spec, seen = await _opened(request)
    lang = page_language(request, spec.languages)
    stored = await store.response_detail(spec.id, own.id, officials=False)
    if stored is None:  # deleted meanwhile
        raise HTTPException(404)
    personal = sorted(key for key in seen.personal_columns if key in stored.answers)
    comments = await _comments(spec, own.id)
    return _private(render(request, "own_response.html", {
        "comments": comments, "names": names(translations(lang).gettext),
        "labels": seen.consultation.headings if seen.consultation else {},
        "spec": spec, "seen": seen, "own": own, "stored": stored, "personal": personal,
        "reference": _reference(request), "secret": _secret(request),
        "until": _until(own, seen, spec), "erased": request.query_params.get("erased") == "1",
        "asked": request.query_params.get("confirm"), "tz": request.state.tz,
    }, lang=lang, languages=spec.languages))


async def own_answers(request: Request) -> Response:
    """The response as JSON, to keep: the answers by question, as stored."""
    own, spec, seen = await _opened(request)
    stored = await store.response_detail(spec.id, own.id, officials=False)
    if stored is None:
        raise HTTPException(404)
    multiple = {key for q in seen.questions if q.multiple for key in q.columns}
    body = {
        "form_id": spec.id, "reference": _reference(request),
        "submitted_at": own.submitted_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "language": own.language, "form_version": own.version,
        "consent": {"personal_data": own.consent, "contact": own.contact_consent},
        "personal_data_erased": own.erased_at is not None,
        "answers": {key: values if key in multiple else values[0]
                    for key, values in stored.answers.items()},
    }
    if spec.consultation is not None:
        body["comments"] = [
            {"article": c.article, "stance": c.stance, "commenter_type": c.commenter_type,
             "text": c.text, "proposal": c.proposal}
            for c in await _comments(spec, own.id)]
    name = f"{spec.id}-{_reference(request)}.json"
    return _private(Response(
        json.dumps(body, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'}))


async def delete_own(request: Request) -> Response:
    """Delete the personal-data answers (``what=personal``) or the whole response
    (``what=all``), once the citizen ticked that they understand it cannot be undone."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise HTTPException(415)
    form = await request.form(max_fields=10, max_files=0)
    data = {key: str(value) for key, value in form.items()}
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    own, spec, seen = await _opened(request, data.get("k", ""))
    lang = page_language(request, spec.languages)
    what = data.get("what")
    if what not in ("personal", "all"):
        raise HTTPException(400)
    base = path_for(request, "own_response", reference=_reference(request))
    if data.get("confirm") != "yes":
        return _private(RedirectResponse(f"{base}?k={data['k']}&confirm={what}#delete",
                                         status_code=303))
    tz = request.state.tz
    fold = sorted(masking.value_keys(seen, spec))
    if what == "personal":
        keys = sorted(seen.personal_columns | spec.personal_columns)
        await store.erase_personal(spec.id, [own.id], keys, tz, fold)
    else:
        await store.delete_responses(spec.id, [own.id], tz, fold)
    await store.audit("response_erased" if what == "personal" else "response_deleted",
                      form_id=spec.id, address=client_address(request), via="private_link",
                      response=own.id)
    if what == "personal":
        return _private(RedirectResponse(f"{base}?k={data['k']}&erased=1", status_code=303))
    return _private(render(request, "own_deleted.html", {"spec": spec}, lang=lang,
                           languages=spec.languages))


async def _comments(spec: FormSpec, response_id: int) -> list[StoredComment]:
    """A consultation's comments sent with the response (none for a survey)."""
    if spec.consultation is None:
        return []
    return (await store.comments_of_responses(spec.id, [response_id])).get(response_id, [])


async def _opened(request: Request, secret: str | None = None
                  ) -> tuple[store.OwnResponse, FormSpec, FormSpec]:
    """The response the link opens, its form as served now and as the citizen saw it;
    404 for a wrong secret, an unknown reference or a link past its time."""
    code = references.parse(request.path_params["reference"])
    secret = _secret(request) if secret is None else secret
    if code is None or not SECRET_LENGTH[0] <= len(secret) <= SECRET_LENGTH[1]:
        raise HTTPException(404)
    own = await store.own_response(code, privacy.secret_hash(secret))
    if own is None:
        raise HTTPException(404)
    found = await form_versions(own.form_id, request.state.registry.forms.get(own.form_id))
    if found is None:
        raise HTTPException(404)
    current, older = found
    seen = next((s for s in (current, *older) if s.version == own.version), current)
    if dt.datetime.now(dt.UTC) >= _until(own, seen, current):
        raise HTTPException(404)
    return own, current, seen


def _reference(request: Request) -> str:
    """The reference of the path as people read it (its code checked by :func:`_opened`
    before: an address never carries what the path held besides)."""
    return references.shown(references.parse(request.path_params["reference"]) or "")


def _secret(request: Request) -> str:
    return request.query_params.get("k", "")


def _until(own: store.OwnResponse, seen: FormSpec, current: FormSpec) -> dt.datetime:
    """When the link stops opening the response: when the personal data of the version
    it answered is erased (the current version's retention when that one says none)."""
    days = (retention_of(seen, current) if seen.personal_questions else None) or LINK_DAYS
    return own.submitted_at + dt.timedelta(days=days)


def _private(response: Response) -> Response:
    """Never kept by a cache, and the secret never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
