"""Finding a response by the reference code its citizen was shown on the thank-you page.

``GET /admin/responses?ref=ABCD-2345`` (any case, dash or not) redirects (303) to the
response's page when the code names a response of a form the official may see. Another
agency's response is not found, exactly as a code that names none: the same page, the
same status (404), the same one indexed read, so that no official learns what other
agencies hold. A text that cannot be a code is refused with 422.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vnform import references, store
from vnform.i18n import translations
from vnform.views.admin import page_context
from vnform.views.auth import client_address, signed_in
from vnform.views.render import page_language, path_for, render

QUERY_PARAMETER = "ref"
TEMPLATE = "admin/find_response.html"


@signed_in
async def find_response(request: Request) -> Response:
    lang = page_language(request)
    _ = translations(lang).gettext
    text = request.query_params.get(QUERY_PARAMETER)
    context = page_context(request, ref=(text or "").strip()[:references.MAX_TEXT],
                           error=None, code=None, matches=[])
    if text is None:  # the search box alone
        return render(request, TEMPLATE, context, lang=lang)
    code = references.parse(text)
    if code is None:
        context["error"] = (_("Enter the reference code the citizen was given.")
                            if not text.strip() else
                            _("A reference code has 8 letters and digits, such as ABCD-2345: "
                              "check the code and try again."))
        return render(request, TEMPLATE, context, lang=lang, status_code=422)
    official = request.state.official
    forms = request.state.registry.forms
    matches = [(response_id, spec) for response_id, form_id in await store.find_reference(code)
               if (spec := forms.get(form_id)) is not None and official.can_see(spec.agency)]
    # Who looked for which citizen's answers, found or not (a search for many codes shows).
    await store.audit("response_lookup", actor=official.email,
                      form_id=matches[0][1].id if len(matches) == 1 else None,
                      address=client_address(request), reference=references.shown(code),
                      found=len(matches))
    if len(matches) == 1:
        response_id, spec = matches[0]
        return RedirectResponse(path_for(request, "response", form_id=spec.id,
                                         response_id=response_id), 303)
    # None (404), or, rarely, several: a code has 40 bits, so among millions of
    # responses two may share one; the official tells them apart with the citizen.
    context.update(code=references.shown(code), matches=matches)
    return render(request, TEMPLATE, context, lang=lang,
                  status_code=200 if matches else 404)
