"""The machine-facing API: the indicator feed and case invitations, for bearer tokens.

Other systems (the measurement platform, a case-management system) call it with a token
an administrator made with ``vnform token add``; docs/api.md is the reference. The API
never reads the session cookie: a signed-in official's browser is no API client, and
without cookies there is nothing for a cross-site request to ride on, so no CSRF token.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vnform import __version__, reports, store
from vnform.cases import MAX_LENGTH as MAX_CASE_LENGTH
from vnform.cases import CaseCodeError, clean_case_code
from vnform.forms.spec import FormSpec
from vnform.indicators import Period, parse_period
from vnform.links import invitation_path
from vnform.views.auth import client_address

Handler = Callable[[Request], Awaitable[Response]]

GROUPINGS = ("form", "service", "agency")
FORMATS = ("json", "csv")
MAX_CASES = 1000
#: No token is this long; refuse before hashing whatever a client sends.
MAX_SECRET_LENGTH = 256
#: Last-Modified of a feed with no response yet: a fixed instant, so that it validates.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"


def error(status: int, code: str, message: str,
          headers: dict[str, str] | None = None) -> JSONResponse:
    """``{"error": code, "message": text}``: a machine-readable code, a readable text."""
    return JSONResponse({"error": code, "message": message}, status_code=status,
                        headers={"Cache-Control": "no-store", **(headers or {})})


def _unauthorized(invalid: bool) -> JSONResponse:
    # RFC 6750 §3: say "invalid_token" only when a token was sent.
    challenge = 'Bearer realm="vnform"' + (', error="invalid_token"' if invalid else "")
    message = ("the token is not valid or has been revoked" if invalid
               else "send an API token: Authorization: Bearer <token>")
    return error(401, "unauthorized", message, {"WWW-Authenticate": challenge})


def bearer(handler: Handler) -> Handler:
    """Views for API clients: a valid, unrevoked bearer token, else 401.

    Only the Authorization header counts; cookies are never read here.
    """

    @functools.wraps(handler)
    async def view(request: Request) -> Response:
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            return _unauthorized(invalid=False)
        client = None
        if len(secret) <= MAX_SECRET_LENGTH:
            client = await store.api_client(secret)
        if client is None:
            return _unauthorized(invalid=True)
        request.state.api_client = client
        return await handler(request)

    return view


def _visible(request: Request) -> list[FormSpec]:
    client = request.state.api_client
    return [spec for spec in request.state.registry.forms.values()
            if client.can_see(spec.agency)]


# --- the indicator feed, shared with open data ----------------------------------------

class BadQuery(ValueError):
    """A query parameter the feed cannot use; the message says what is accepted."""


def feed_query(request: Request) -> tuple[Period, str]:
    """``period`` (default: the current local year) and ``by`` of a feed."""
    params = request.query_params
    tz = request.state.tz
    text = params.get("period") or str(dt.datetime.now(tz).year)
    # parse_period's \d also takes other scripts' digits (a label that cannot go into
    # a header), and its years reach past what datetime can shift across time zones.
    try:
        period = parse_period(text if text.isascii() else "?")
        period.window(tz)
    except (ValueError, OverflowError):
        raise BadQuery(f"not a period: {text!r}; use a year (2026), a quarter (2026-Q4) "
                       "or a month (2026-11)") from None
    by = params.get("by", "form")
    if by not in GROUPINGS:
        raise BadQuery(f"cannot group by {by!r}; use by=form, by=service or by=agency")
    return period, by


def feed_body(records: Sequence[dict[str, object]], fmt: str) -> tuple[bytes, str]:
    """The records as the command line writes them (``vnform indicators``)."""
    if fmt == "csv":
        return reports.as_csv(records).encode("utf-8"), CSV_TYPE
    text = json.dumps(reports.as_json(records), ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8"), JSON_TYPE


async def validators(specs: Sequence[FormSpec], *parts: object) -> tuple[str, dt.datetime]:
    """The ETag and Last-Modified of a feed of *specs*, from their change counters:
    a client's copy is checked without computing a single figure.

    The ETag covers what decides the body: each form's change counter (a response
    stored, the tallies rebuilt), version, grouping and publication, the query
    (*parts*), and vnform's own version. Last-Modified is when the newest response in
    scope arrived, to the second (HTTP's precision)."""
    totals = await store.form_totals(spec.id for spec in specs)
    digest = hashlib.sha256(repr((__version__, parts)).encode())
    for spec in sorted(specs, key=lambda s: s.id):
        total = totals.get(spec.id, store.FormTotal())
        digest.update(repr((spec.id, spec.version, spec.agency, spec.service,
                            spec.definition.get("open_data"), spec.definition.get("composite"),
                            total.changes)).encode())
    newest = max((t.last_at for t in totals.values() if t.last_at is not None), default=None)
    modified = (newest or EPOCH).astimezone(dt.UTC).replace(microsecond=0)
    return '"' + digest.hexdigest()[:40] + '"', modified


async def conditional(request: Request, validated: tuple[str, dt.datetime],
                      body: Callable[[], Awaitable[tuple[bytes, str]]],
                      headers: dict[str, str]) -> Response:
    """304 when the client's copy is current (RFC 9110 §13), without calling *body*;
    else 200 with the body and its validators.

    If-None-Match, when sent, decides alone; If-Modified-Since counts only without it
    (§13.2.2)."""
    etag, modified = validated
    headers = {**headers, "ETag": etag,
               "Last-Modified": email.utils.format_datetime(modified, usegmt=True)}
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    content, media_type = await body()
    return Response(content, media_type=media_type, headers=headers)


def _not_modified(request: Request, etag: str, modified: dt.datetime) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.headers.get("if-none-match")
    if match is not None:
        # Weak comparison (§13.1.2): W/"x" matches "x".
        tags = [tag.strip().removeprefix("W/") for tag in match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an invalid date is ignored (§13.1.3)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return modified <= when


@bearer
async def indicators(request: Request) -> Response:
    """``GET /api/v1/indicators``: the records of the forms this token may see."""
    fmt = request.query_params.get("format", "json")
    try:
        period, by = feed_query(request)
        if fmt not in FORMATS:
            raise BadQuery(f"unknown format {fmt!r}; use format=json or format=csv")
    except BadQuery as exc:
        return error(400, "invalid_parameter", str(exc))
    specs = _visible(request)
    minimum = request.state.settings.indicator_min_n

    async def body() -> tuple[bytes, str]:
        return feed_body(await reports.protected_records(specs, period, minimum, by), fmt)

    validated = await validators(specs, "api", period.label, by, fmt, minimum)
    return await conditional(request, validated, body, {
        # Each token sees its own forms: no shared cache, and check before reuse.
        "Cache-Control": "private, no-cache", "Vary": "Authorization",
    })


# --- invitations ----------------------------------------------------------------------

class BadBody(ValueError):
    """The JSON body is not an invitation request; the message says why."""


def _invitation_request(data: Any) -> tuple[str, list[str]]:
    if not isinstance(data, dict):
        raise BadBody('the body must be a JSON object: {"form": "...", "cases": ["..."]}')
    unknown = sorted(set(data) - {"form", "cases"})
    if unknown:
        raise BadBody(f"unknown field {unknown[0]!r}; send only \"form\" and \"cases\"")
    form_id = data.get("form")
    if not isinstance(form_id, str) or not form_id:
        raise BadBody('"form" must be the id of a form (a string)')
    cases = data.get("cases")
    if not isinstance(cases, list) or not 1 <= len(cases) <= MAX_CASES:
        raise BadBody(f'"cases" must be a list of 1 to {MAX_CASES} case codes')
    codes: dict[str, None] = {}
    for i, case in enumerate(cases):
        where = f'"cases"[{i}]'
        if not isinstance(case, str):
            raise BadBody(f"{where} must be a string")
        try:
            code = clean_case_code(case)  # trimmed, NFC: as the command line takes them
        except CaseCodeError as exc:
            raise BadBody(f"{where}: {exc}") from None
        if code in codes:
            # One link per case and request: a repeat is the caller's mistake, and the
            # answer would list the case twice.
            raise BadBody(f"{where}: case {code!r} is listed twice")
        codes[code] = None
    return form_id, list(codes)


def _public_base(request: Request) -> str:
    """The address citizens reach: ``VNFORM_PUBLIC_URL`` (behind a proxy the request's
    own address may be an internal one), else this request's when it is set empty."""
    return (request.state.settings.public_url or str(request.base_url)).rstrip("/")


@bearer
async def invitations(request: Request) -> Response:
    """``POST /api/v1/invitations``: a single-use link for each case file."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != JSON_TYPE:
        return error(415, "unsupported_media_type",
                     "send the body as JSON with Content-Type: application/json")
    try:
        raw = await request.body()
    except HTTPException as exc:  # the body limit (middleware.BodyLimit)
        if exc.status_code != 413:
            raise
        return error(413, "payload_too_large", "the body is larger than this server accepts")
    try:
        form_id, cases = _invitation_request(json.loads(raw))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        message = str(exc) if isinstance(exc, BadBody) else "the body is not valid JSON"
        return error(400, "invalid_body", message)
    client = request.state.api_client
    spec = request.state.registry.forms.get(form_id)
    if spec is None or not client.can_see(spec.agency):
        # Another agency's form is "not found", exactly like one that does not exist.
        return error(404, "not_found", f"no form {form_id!r}")
    made = await store.create_invitations(spec.id, cases, created_by=client.name)
    await store.audit("invitations_created", actor=f"api:{client.name}", form_id=spec.id,
                      address=client_address(request), token=client.name, count=len(made))
    base = _public_base(request)
    secret_key = request.state.settings.secret_key
    return JSONResponse({"form": spec.id, "invitations": [
        {"case": case, "url": base + invitation_path(spec.id, secret, secret_key)}
        for case, secret in made
    ]}, status_code=201, headers={"Cache-Control": "no-store"})  # the links are secrets


# --- the OpenAPI document -------------------------------------------------------------

def _nullable(kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], "description": description, **extra}


#: The type and meaning of every field of a record (reports.FIELDS, in order).
RECORD_FIELDS: dict[str, dict[str, Any]] = {
    "period": {"type": "string", "description": "The period: 2026, 2026-Q4 or 2026-11."},
    "form": _nullable("string", "Form id (by=form), else null."),
    "agency": _nullable("string", "Agency code (by=form and by=agency), else null."),
    "service": _nullable("string", "Public-service code (by=form: the form's, may be "
                         "null; by=service: the group, \"\" for forms without one)."),
    "indicator": {"type": "string", "description": "Dimension (e.g. satisfaction), "
                  "composite id, or case_satisfaction."},
    "questions": {"type": "array", "items": {"type": "string"},
                  "description": "Answer keys pooled (form:key when grouped)."},
    "scale": {"type": "string", "description": "likert5, rating10, nps, yes_no, "
              "composite, cases ..."},
    "n_valid": _nullable("integer", "Valid answers (null for composites and cases)."),
    "n_skip": _nullable("integer", "Responses that did not answer."),
    "n_na": _nullable("integer", "\"Does not apply\" answers."),
    "mean": _nullable("number", "Mean on the scale's points."),
    "top2_pct": _nullable("number", "Satisfied share (two highest points), percent; "
                          "for composites, the index."),
    "bottom2_pct": _nullable("number", "Dissatisfied share (two lowest points), percent."),
    "score_0_100": _nullable("number", "Mean rescaled to 0-100."),
    "ci95_low": _nullable("number", "Lower end of the 95% interval."),
    "ci95_high": _nullable("number", "Upper end of the 95% interval."),
    "status": {"type": "string", "enum": ["ok", "low_n", "suppressed", "undefined"],
               "description": "Figures are null when suppressed (fewer valid answers "
               "than the minimum) or undefined (none)."},
    "promoters_pct": _nullable("number", "NPS scales: share answering 9-10, percent."),
    "detractors_pct": _nullable("number", "NPS scales: share answering 0-6, percent."),
    "nps": _nullable("number", "NPS scales: promoters minus detractors."),
    "of": _nullable("array", "Composites: the dimensions averaged.",
                    items={"type": "string"}),
    "cases": _nullable("integer", "case_satisfaction: case files rated."),
    "case_satisfaction_pct": _nullable("number", "case_satisfaction: share of cases not "
                                       "rated unsatisfied, percent."),
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {JSON_TYPE: {"schema": {"$ref": "#/components/schemas/Error"}}}}


_FEED_PARAMETERS = [
    {"name": "period", "in": "query", "required": False,
     "description": "A year (2026), quarter (2026-Q4) or month (2026-11), in the "
                    "deployment's time zone. Default: the current year.",
     "schema": {"type": "string",
                "pattern": "^(19|2[0-9])[0-9]{2}(-(0[1-9]|1[0-2])|-[Qq][1-4])?$"}},
    {"name": "by", "in": "query", "required": False, "description": "Grouping.",
     "schema": {"type": "string", "enum": list(GROUPINGS), "default": "form"}},
]
_CONDITIONAL_PARAMETERS = [
    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "The ETag of the copy held: 304 when it is current."},
    {"name": "If-Modified-Since", "in": "header", "required": False,
     "schema": {"type": "string"},
     "description": "The Last-Modified held; ignored when If-None-Match is sent."},
]
_VALIDATORS = {
    "ETag": {"description": "Strong validator: it changes whenever the body would "
             "(a response stored, a form changed), and is checked without computing it.",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the newest response in scope arrived "
                      "(1970-01-01 when none).", "schema": {"type": "string"}},
}
_INDICATORS_JSON = {"schema": {"$ref": "#/components/schemas/Indicators"}}
_INDICATORS_CSV = {"schema": {"type": "string"},
                   "example": ",".join(reports.FIELDS) + "\r\n"}


def _open_data_path(media: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"get": {
        "summary": f"Open data: aggregate indicators of open-data forms ({media})",
        "description": "No sign-in. Only forms with open_data: true; suppressed and "
                       "undefined records are left out, and so is a pooled record "
                       "whose pooled forms include one that is suppressed.",
        "security": [],
        "parameters": _FEED_PARAMETERS + _CONDITIONAL_PARAMETERS,
        "responses": {
            "200": {"description": "The published records.", "headers": _VALIDATORS,
                    "content": {media: content}},
            "304": {"description": "Not modified.", "headers": _VALIDATORS},
            "400": _problem("A bad period or by."),
        },
    }}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "vnform API", "version": "1.0.0",
             "description": "Satisfaction indicators and case invitations. See "
                            "docs/api.md."},
    "paths": {
        "/api/v1/indicators": {"get": {
            "operationId": "getIndicators",
            "summary": "Indicator records of the forms the token may see",
            "parameters": _FEED_PARAMETERS + [
                {"name": "format", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(FORMATS), "default": "json"},
                 "description": "json, or csv (the same fields as columns)."},
            ] + _CONDITIONAL_PARAMETERS,
            "responses": {
                "200": {"description": "Every record, as `vnform indicators` writes it.",
                        "headers": _VALIDATORS,
                        "content": {JSON_TYPE: _INDICATORS_JSON, "text/csv": _INDICATORS_CSV}},
                "304": {"description": "Not modified: the copy held is current.",
                        "headers": _VALIDATORS},
                "400": _problem("A bad period, by or format."),
                "401": _problem("No token, or an invalid or revoked one."),
            },
        }},
        "/api/v1/invitations": {"post": {
            "operationId": "createInvitations",
            "summary": "Single-use links for case files to rate a form",
            "requestBody": {"required": True, "content": {JSON_TYPE: {
                "schema": {"$ref": "#/components/schemas/InvitationRequest"}}}},
            "responses": {
                "201": {"description": "One link per case, in the order sent.",
                        "content": {JSON_TYPE: {
                            "schema": {"$ref": "#/components/schemas/Invitations"}}}},
                "400": _problem("Not JSON, or fields that are missing or invalid."),
                "401": _problem("No token, or an invalid or revoked one."),
                "404": _problem("No such form, or one of an agency the token does not "
                                "cover."),
                "413": _problem("The body is too large."),
                "415": _problem("The body is not application/json."),
            },
        }},
        "/open-data/indicators.json": _open_data_path(JSON_TYPE, _INDICATORS_JSON),
        "/open-data/indicators.csv": _open_data_path("text/csv", _INDICATORS_CSV),
    },
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "A token made with `vnform token add`.",
        }},
        "schemas": {
            "IndicatorRecord": {
                "type": "object", "properties": RECORD_FIELDS,
                "required": list(RECORD_FIELDS), "additionalProperties": False,
            },
            "Indicators": {
                "type": "object", "required": ["indicators"], "additionalProperties": False,
                "properties": {"indicators": {
                    "type": "array", "items": {"$ref": "#/components/schemas/IndicatorRecord"},
                }},
            },
            "InvitationRequest": {
                "type": "object", "required": ["form", "cases"],
                "additionalProperties": False,
                "properties": {
                    "form": {"type": "string", "minLength": 1, "description": "Form id."},
                    "cases": {"type": "array", "minItems": 1, "maxItems": MAX_CASES,
                              "uniqueItems": True, "description": "Case codes (mã hồ sơ).",
                              "items": {"type": "string", "minLength": 1,
                                        "maxLength": MAX_CASE_LENGTH}},
                },
            },
            "Invitations": {
                "type": "object", "required": ["form", "invitations"],
                "additionalProperties": False,
                "properties": {
                    "form": {"type": "string"},
                    "invitations": {"type": "array", "items": {
                        "type": "object", "required": ["case", "url"],
                        "additionalProperties": False,
                        "properties": {"case": {"type": "string"},
                                       "url": {"type": "string", "format": "uri"}},
                    }},
                },
            },
            "Error": {
                "type": "object", "required": ["error", "message"],
                "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


async def openapi(request: Request) -> Response:
    """``GET /api/v1/openapi.json``: public, like any API's description."""
    return JSONResponse(OPENAPI)
