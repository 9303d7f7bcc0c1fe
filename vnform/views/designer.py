"""The officials' pages for designing forms: create from YAML, a file or a template;
edit with every problem listed at its line; check as they type; publish, close, reopen,
archive; the history of revisions; the source."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from vnform import csrf, export, publishing, store
from vnform.answers import StoredResponse
from vnform.filters import Filters
from vnform.forms import xlsform
from vnform.forms.changes import Impact, impacts
from vnform.forms.loader import load_text
from vnform.forms.positions import Problem
from vnform.views import citizen
from vnform.views.admin import page_context
from vnform.views.auth import client_address, signed_in
from vnform.views.render import page_language, path_for, render

#: The biggest form text accepted, typed or uploaded (a large survey is ~50 kB).
MAX_SOURCE_BYTES = 512 * 1024
#: The biggest file accepted (an XLSForm workbook is zipped XML).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Session key of an XLSForm import's report, shown once on the new draft's page.
IMPORT_REPORT = "import_report"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "form_templates"
#: Templates an official may start from, by name: (file, label).
TEMPLATES = {"satisfaction": "satisfaction.yaml", "quick-feedback": "quick-feedback.yaml",
             "sipas": "sipas.yaml"}
#: Changes of state, by the action in the URL.
ACTIONS = {"close": "closed", "reopen": "live", "archive": "archived"}


def _problem_list(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "column": p.column, "severity": p.severity, "message": p.message}
            for p in problems]


async def form_data(request: Request, max_fields: int = 20) -> Any:
    """The posted fields, CSRF-checked (a file may come with them)."""
    data = await request.form(max_fields=max_fields, max_files=1,
                              max_part_size=MAX_SOURCE_BYTES)
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    return data


def _source_of(value: object) -> str:
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


async def design_for(request: Request, *, publish: bool = False) -> store.Design:
    """The database form of the URL, if this official may design it (and, with
    *publish*, publish it): another agency's is not found; an analyst is refused."""
    official = request.state.official
    design = await store.design(request.path_params["form_id"])
    if design is None or not official.can_see(design.agency) or design.state == "archived" \
            and not official.can_publish(design.agency):
        raise HTTPException(404)
    allowed = official.can_publish if publish else official.can_design
    if not allowed(design.agency):
        raise HTTPException(403)
    return design


def _designer(request: Request) -> None:
    if not request.state.official.designs:
        raise HTTPException(403)


@signed_in
async def new(request: Request) -> Response:
    """``GET /admin/forms/new``: paste YAML, upload a file, or start from a template;
    ``POST``: the form created as a draft (303 to its editor), or every problem."""
    _designer(request)
    lang = page_language(request)
    if request.method == "GET":
        chosen = request.query_params.get("template", "")
        source = (TEMPLATES_DIR / TEMPLATES[chosen]).read_text(encoding="utf-8") \
            if chosen in TEMPLATES else ""
        return _new_page(request, lang, source, [])
    data = await form_data(request)
    try:
        upload = data.get("file")
        source = _source_of(data.get("source"))
        name = upload.filename if isinstance(upload, UploadFile) else None
        raw = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) \
            and name else b""
    finally:
        await data.close()  # an uploaded file's spool, even an empty one
    report: list[str] = []
    if name:
        if len(raw) > MAX_UPLOAD_BYTES:
            return _new_page(request, lang, "", [
                Problem("", 1, 1, f"the file is bigger than {MAX_UPLOAD_BYTES // 1024} kB")],
                413)
        if name.lower().endswith((".xlsx", ".xls")):
            official = request.state.official
            try:
                # Off the event loop: reading a workbook takes a while, citizens do not wait.
                converted = await run_in_threadpool(
                    xlsform.convert, raw, name,
                    official.agencies[0] if official.agencies else "ma-co-quan")
            except xlsform.XLSFormError as exc:
                return _new_page(request, lang, "", [
                    Problem("", 1, 1, f"{name}: {exc}")], 422)
            source, report = converted.source, converted.report
        else:
            try:
                source = raw.decode("utf-8-sig").replace("\r\n", "\n")
            except UnicodeDecodeError:
                return _new_page(request, lang, "", [Problem("", 1, 1, "not UTF-8 text")], 422)
    checked = publishing.check(source, request.state.live_forms.files)
    spec = checked.spec
    problems = list(checked.problems)
    official = request.state.official
    if spec is not None and not official.can_design(spec.agency):
        problems.append(Problem("", 1, 1, f"you design forms of {', '.join(official.agencies)}"
                                f", not of '{spec.agency}'"))
    if spec is None or problems and any(p.severity == "error" for p in problems):
        return _new_page(request, lang, source, problems, 422)
    try:
        await publishing.save(checked, official.email, None)
    except store.DesignError as exc:
        return _new_page(request, lang, source, [Problem("", 1, 1, str(exc))], 409)
    if report:  # shown once on the draft's page (and kept as comments at its top)
        request.session[IMPORT_REPORT] = report
    return RedirectResponse(path_for(request, "form_edit", form_id=spec.id), 303)


def _new_page(request: Request, lang: str, source: str, problems: list[Problem],
              status_code: int = 200) -> Response:
    return render(request, "admin/form_new.html", {
        **page_context(request), "source": source, "problems": problems, "templates": TEMPLATES,
    }, lang=lang, status_code=status_code)


@signed_in
async def edit(request: Request) -> Response:
    """``GET``: the draft (else the live text) in the editor, with its problems;
    ``POST`` with ``source`` and the ``revision`` it started from: a new revision, or
    409 with both texts when someone saved meanwhile."""
    design = await design_for(request)
    lang = page_language(request)
    head = await store.design_revision(design.head) if design.head else None
    if request.method == "GET":
        source = head.source if head else ""
        checked = publishing.check(source, request.state.live_forms.files, design.form_id)
        return _edit_page(request, lang, design, source, head, checked.problems)
    data = await form_data(request)
    source = _source_of(data.get("source"))
    try:
        based_on = int(str(data.get("revision", "")))
    except ValueError:
        based_on = None
    checked = checked_for(request, source, design)
    if checked.spec is None:
        # The revision the edit started from stays: a save meanwhile is still caught.
        return _edit_page(request, lang, design, source, head, checked.problems, 422,
                          revision=based_on)
    try:
        await publishing.save(checked, request.state.official.email, based_on)
    except store.StaleRevision:
        # Both texts are shown: saving again, merged, builds on the one saved meanwhile.
        return _edit_page(request, lang, design, source, head, checked.problems, 409,
                          revision=head.id if head else None, stale=True)
    except store.DesignError as exc:  # archived, or no revision said: nothing is saved
        return _edit_page(request, lang, design, source, head,
                          [*checked.problems, Problem("", 1, 1, str(exc))], 409,
                          revision=based_on)
    return RedirectResponse(path_for(request, "form_edit", form_id=design.form_id) + "?saved=1",
                            303)


def checked_for(request: Request, source: str, design: store.Design) -> publishing.Checked:
    """*source* checked for the form *design*, and for this official: the agency it
    names must be one they design forms of."""
    checked = publishing.check(source, request.state.live_forms.files, design.form_id)
    official = request.state.official
    if checked.spec is not None and not official.can_design(checked.spec.agency):
        return publishing.Checked(source, None, [*checked.problems, Problem(
            "", 1, 1, f"you design forms of {', '.join(official.agencies)}, not of "
            f"'{checked.spec.agency}'")])
    return checked


def _edit_page(request: Request, lang: str, design: store.Design, source: str,
               head: store.Revision | None, problems: list[Problem], status_code: int = 200,
               revision: int | None = None, stale: bool = False) -> Response:
    """The editor: *revision* is the one a save of *source* builds on (default: the
    head, whose text *source* is)."""
    official = request.state.official
    if revision is None and status_code == 200 and head is not None:
        revision = head.id
    return render(request, "admin/form_edit.html", {
        **page_context(request), "design": design, "source": source, "head": head,
        "revision": revision, "problems": problems,
        "stale": stale, "saved": request.query_params.get("saved") == "1",
        "report": request.session.pop(IMPORT_REPORT, None) or [],
        "can_publish": official.can_publish(design.agency),
    }, lang=lang, status_code=status_code)


@signed_in
async def check(request: Request) -> Response:
    """``POST /admin/forms/<id>/check`` with ``source``: its problems, as JSON (the
    editor's live check)."""
    design = await design_for(request)
    data = await form_data(request)
    checked = publishing.check(_source_of(data.get("source")), request.state.live_forms.files,
                               design.form_id)
    return JSONResponse({"problems": _problem_list(checked.problems)},
                        headers={"Cache-Control": "no-store"})


@signed_in
async def publish(request: Request) -> Response:
    """``POST /admin/forms/<id>/publish``: the draft goes live on every server. When it
    drops or changes what answers were given to, the official first sees each impact and
    confirms (``confirm=1``); without it, 409 and that page."""
    design = await design_for(request, publish=True)
    data = await form_data(request)
    try:  # the draft the publisher reviewed: another one saved meanwhile is not published
        revision: int | None = int(str(data.get("revision", "")))
    except ValueError:
        revision = None
    if data.get("confirm") != "1":
        found = await _impacts(design)
        if found:
            return render(request, "admin/form_publish.html", {
                **page_context(request), "design": design, "impacts": found,
                "revision": design.draft_revision,
            }, lang=page_language(request), status_code=409)
    try:
        await publishing.publish(design.form_id, request.state.official.email, revision)
    except store.StaleRevision:
        raise HTTPException(409, "the draft was saved again after you looked at it: "
                                 "review it, then publish") from None
    except store.DesignError as exc:
        raise HTTPException(409, str(exc)) from None
    await request.state.live_forms.refresh()  # this server at once; the others poll
    return RedirectResponse(path_for(request, "form_edit", form_id=design.form_id)
                            + "?published=1", 303)


async def _impacts(design: store.Design) -> list[Impact]:
    """What publishing the draft would do to the answers the live version has."""
    if not design.live_revision or not design.draft_revision:
        return []
    live = await store.design_revision(design.live_revision)
    draft = await store.design_revision(design.draft_revision)
    before = load_text(live.source).spec if live else None
    after = load_text(draft.source).spec if draft else None
    if before is None or after is None:
        return []
    figures = await store.results(before, Filters())
    return impacts(before, after, figures.answered, figures.counts)


@signed_in
async def change_state(request: Request) -> Response:
    """``POST /admin/forms/<id>/close``, ``/reopen``, ``/archive``."""
    design = await design_for(request, publish=True)
    await form_data(request)
    action = request.url.path.rsplit("/", 1)[-1]
    try:
        await store.set_design_state(design.form_id, ACTIONS[action])
    except store.DesignError as exc:
        raise HTTPException(409, str(exc)) from None
    await store.audit(f"form_{action}d" if action != "reopen" else "form_reopened",
                      actor=request.state.official.email, form_id=design.form_id,
                      address=client_address(request))
    await request.state.live_forms.refresh()
    return RedirectResponse(path_for(request, "form_edit", form_id=design.form_id), 303)


@signed_in
async def history(request: Request) -> Response:
    """``GET /admin/forms/<id>/history``: every revision, newest first, each with what it
    changes against the live version, and a way to restore it as the draft."""
    design = await design_for(request)
    revisions = await store.design_history(design.form_id)
    live = next((r for r in revisions if r.id == design.live_revision), None)
    diffs = {r.id: _diff(live.source if live else "", r.source, design.form_id)
             for r in revisions if r.id != design.live_revision}
    return render(request, "admin/form_history.html", {
        **page_context(request), "design": design, "revisions": revisions, "diffs": diffs,
    }, lang=page_language(request))


def _diff(live: str, other: str, form_id: str) -> str:
    """*other* against the live text, as a unified diff ("" when they are the same)."""
    return "".join(difflib.unified_diff(
        live.splitlines(keepends=True), other.splitlines(keepends=True),
        fromfile=f"{form_id}.yaml (live)", tofile=f"{form_id}.yaml", n=2))


@signed_in
async def restore(request: Request) -> Response:
    """``POST /admin/forms/<id>/restore`` with ``revision``: that revision's text saved
    again as the draft (a new revision)."""
    design = await design_for(request)
    data = await form_data(request)
    try:
        chosen = await store.design_revision(int(str(data.get("revision", ""))))
    except ValueError:
        chosen = None
    if chosen is None or chosen.form_id != design.form_id:
        raise HTTPException(404)
    checked = checked_for(request, chosen.source, design)
    if checked.spec is None:
        head = await store.design_revision(design.head) if design.head else None
        return _edit_page(request, page_language(request), design, chosen.source, head,
                          checked.problems, 422, revision=design.head)
    try:
        saved = await publishing.save(checked, request.state.official.email, design.head)
    except store.DesignError as exc:  # saved meanwhile, or archived
        raise HTTPException(409, str(exc)) from None
    await store.audit("form_restored", actor=request.state.official.email,
                      form_id=design.form_id, revision=saved.id, restored=chosen.id,
                      address=client_address(request))
    return RedirectResponse(path_for(request, "form_edit", form_id=design.form_id) + "?saved=1",
                            303)


@signed_in
async def source(request: Request) -> Response:
    """``GET /admin/forms/<id>/source.yaml``: the draft's text (else the live one)."""
    design = await design_for(request)
    head = await store.design_revision(design.head) if design.head else None
    return Response(head.source if head else "", media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{design.form_id}.yaml"',
                             "Cache-Control": "no-store"})


# --- preview --------------------------------------------------------------------------

async def _previewing(request: Request) -> store.Design:
    """Let the citizen's views serve the form's draft (else its live text) to this
    official, as a preview (:func:`vnform.views.citizen.previewed`)."""
    design = await design_for(request)
    head = await store.design_revision(design.head) if design.head else None
    spec = load_text(head.source).spec if head else None
    if spec is None:
        raise HTTPException(409, "the draft has problems: fix them in the editor first")
    request.state.preview = spec
    return design


@signed_in
async def preview_page(request: Request) -> Response:
    """``/admin/forms/<id>/preview[/p/<page>]``: the draft exactly as citizens will see
    it, under a banner; what is sent is kept as a test response."""
    await _previewing(request)
    return await citizen.page(request)


@signed_in
async def preview_review(request: Request) -> Response:
    await _previewing(request)
    return await citizen.review(request)


@signed_in
async def preview_thanks(request: Request) -> Response:
    await _previewing(request)
    return await citizen.thanks(request)


@signed_in
async def test_responses(request: Request) -> Response:
    """``GET /admin/forms/<id>/test-responses``: the answers sent from previews, which
    nothing else counts; ``POST``: delete them all."""
    design = await design_for(request)
    if request.method == "POST":
        await form_data(request)
        deleted = await store.delete_preview_responses(design.form_id)
        await store.audit("test_responses_deleted", actor=request.state.official.email,
                          form_id=design.form_id, count=deleted,
                          address=client_address(request))
        return RedirectResponse(path_for(request, "test_responses", form_id=design.form_id),
                                303)
    found = await store.preview_responses(design.form_id)
    return render(request, "admin/form_tests.html", {
        **page_context(request), "design": design, "tests": found,
    }, lang=page_language(request))


@signed_in
async def test_responses_csv(request: Request) -> Response:
    """``GET /admin/forms/<id>/test-responses.csv``: the test responses, asked for
    explicitly, as CSV for Excel in the columns of the draft (else the live version)."""
    design = await design_for(request)
    revision = await store.design_revision(design.head) if design.head else None
    spec = load_text(revision.source).spec if revision else None
    if spec is None and design.live_revision:
        live = await store.design_revision(design.live_revision)
        spec = load_text(live.source).spec if live else None
    if spec is None:
        raise HTTPException(404)
    found = await store.preview_responses(design.form_id, limit=None)
    rows = [StoredResponse(t.id, t.submitted_at, t.language, t.form_version,
                           {key: [value] if isinstance(value, str) else list(value)
                            for key, value in t.answers.items()}) for t in found]

    async def batches() -> AsyncIterator[list[StoredResponse]]:
        yield rows[::-1]  # oldest first, as an export of responses

    chunks = [chunk async for chunk in export.csv_stream(export.columns(spec), batches(),
                                                         excel=True)]
    await store.audit("test_responses_exported", actor=request.state.official.email,
                      form_id=design.form_id, count=len(rows),
                      address=client_address(request))
    name = export.file_name(design.form_id, dt.date.today(), "csv", "-test")
    return Response("".join(chunks), media_type=export.MEDIA_TYPES["csv"], headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
