"""The audit log in words: each event's code (as stored, and as the filter's query keeps
it) read as a sentence in the page's language, and its details as "name: value" pairs
instead of ``agencies=[]``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vnform import formatting
from vnform.agencies import AgencyNames
from vnform.i18n import LANGUAGE_NAMES, N_, translations

__all__ = ["EVENTS", "describe_details", "describe_event"]

#: Every event the application records, in the order the filter lists them.
EVENTS = {
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in refused: wrong email or password"),
    "sign_in_throttled": N_("Sign-in refused: too many attempts"),
    "sign_out": N_("Signed out"),
    "export": N_("Downloaded responses"),
    "response_lookup": N_("Looked up a response by its reference"),
    "user_added": N_("Added an official's account"),
    "user_disabled": N_("Disabled an official's account"),
    "user_enabled": N_("Enabled an official's account"),
    "password_changed": N_("Changed a password"),
    "api_token_added": N_("Created an API token"),
    "api_token_revoked": N_("Revoked an API token"),
    "invitations_created": N_("Created invitation links"),
    "form_saved": N_("Saved a form's draft"),
    "form_published": N_("Published a form"),
    "form_closed": N_("Closed a form"),
    "form_reopened": N_("Reopened a form"),
    "form_archived": N_("Archived a form"),
    "form_restored": N_("Restored an earlier revision as the draft"),
    "test_responses_exported": N_("Downloaded test responses"),
    "test_responses_deleted": N_("Deleted test responses"),
    "personal_data_viewed": N_("Saw personal-data answers"),
    "personal_data_allowed": N_("Let an account see personal-data answers"),
    "personal_data_denied": N_("Masked personal-data answers for an account again"),
    "response_erased": N_("Deleted the personal-data answers of a response"),
    "response_deleted": N_("Deleted a response"),
    "subject_searched": N_("Looked for a citizen's personal data, at their request"),
    "purged": N_("Erased the personal data kept past its time"),
    "comments_tagged": N_("Tagged comments of a consultation"),
    "comments_moderated": N_("Moderated comments of a consultation"),
    "comments_answered": N_("Answered comments of a consultation"),
    "synthesis_downloaded": N_("Downloaded the synthesis of a consultation"),
    "synthesis_published": N_("Published the synthesis of a consultation"),
    "synthesis_withdrawn": N_("Withdrew the synthesis of a consultation"),
}
#: Names of the details events carry; any other is shown by its code.
DETAILS = {
    "format": N_("Format"), "rows": N_("Rows"), "count": N_("Number"),
    "revision": N_("Revision"), "restored": N_("Restored revision"),
    "agencies": N_("Agencies"), "role": N_("Role"), "email": N_("Account"),
    "token": N_("Token"), "via": N_("Through"), "lang": N_("Language"),
    "file": N_("File"), "complete": N_("Complete"), "headers": N_("Column headers"),
    "reference": N_("Reference"), "found": N_("Found"),
    # the filters of an export
    "since": N_("From"), "until": N_("To"), "language": N_("Language"),
    "version": N_("Form version"), "segment": N_("Only those who answered"),
    "flagged": N_("Automated submissions"),
    "personal_data": N_("Personal data"), "what": N_("Seen on"),
    "responses": N_("Responses"), "response": N_("Response"), "forms": N_("Forms"),
    # actions on a consultation's comments
    "comments": N_("Comments"), "tags": N_("Tags"), "decision": N_("Decision"),
    "reason": N_("Reason"), "answer": N_("Answer"),
}
ROLES = {"admin": N_("Administrator"), "publisher": N_("Publisher"), "editor": N_("Editor"),
         "analyst": N_("Analyst")}
CHANNELS = {"web": N_("the web pages"), "cli": N_("the command line"), "api": N_("the API"),
            "private_link": N_("the citizen's private link")}
DECISIONS = {"approved": N_("approved"), "hidden": N_("hidden"), "accepted": N_("accepted"),
             "explained": N_("not accepted, explained"), "noted": N_("noted")}
SHOWN = {"shown": N_("shown"), "masked": N_("masked"), "response": N_("a response's page"),
         "text answers": N_("the text answers' page"), "results": N_("the results page")}


def describe_event(action: str, gettext: Callable[[str], str]) -> str:
    """The event as a sentence (an event this version does not know: its code)."""
    words = EVENTS.get(action)
    return gettext(words) if words else action


def describe_details(details: Mapping[str, Any], lang: str,
                     agencies: AgencyNames | None = None) -> str:
    """The details as ``Name: value`` pairs in *lang*: counts grouped (``1.200``), days
    as dd/mm/yyyy, agencies, roles and languages by name; an empty list reads "none"."""
    gettext = translations(lang).gettext
    parts = []
    for key, value in sorted(details.items()):
        name = gettext(DETAILS[key]) if key in DETAILS else key
        parts.append(f"{name}: {_value(key, value, lang, agencies or AgencyNames())}")
    return " · ".join(parts)


def _value(key: str, value: Any, lang: str, agencies: AgencyNames) -> str:
    gettext = translations(lang).gettext
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item, lang, agencies) for item in value) if value \
            else gettext("none")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):
        return formatting.integer(value, lang)
    if value is None or value == "":
        return gettext("none")
    text = str(value)
    if key == "agencies":
        return agencies.name(text, lang)
    words = {"role": ROLES, "via": CHANNELS, "personal_data": SHOWN, "what": SHOWN,
             "decision": DECISIONS, "answer": DECISIONS}.get(key, {})
    if text in words:
        return gettext(words[text])
    if key in ("lang", "language"):
        return LANGUAGE_NAMES.get(text, text)
    if key in ("since", "until"):
        return formatting.day(text)
    return text
