"""The record of processing (``vnform privacy report``): for the impact assessment
dossier, what each form does with personal data. Built from the forms, the accounts, the
API tokens and counts in the database; written as Markdown or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from vnform.accounts import Official
from vnform.forms.spec import FormSpec
from vnform.store.invitations import ApiClient
from vnform.store.retention import PersonalHeld

__all__ = ["FormRecord", "form_record", "as_json", "as_markdown"]

SAFEGUARDS = (
    "Personal-data answers are masked (•••) for every official whose account has no "
    "personal-data access; exports leave them out unless asked for.",
    "Each page or download that shows them unmasked is an audit row (who, which form, "
    "how many responses).",
    "Citizens consent before giving them, to a notice whose SHA-256 is stored with the "
    "response; declining stores nothing personal.",
    "Citizens see, download and delete their answers with a private link (only its "
    "secret's hash is stored).",
    "Answers past the form's retention are erased every day; figures keep only counts.",
    "Aggregates never publish a figure from fewer answers than the minimum, nor one "
    "that would reveal it by subtraction.",
)
OPERATOR = (
    "Encryption at rest of the database and its backups is the operator's (vnform "
    "stores answers as given).",
    "Backups, and deleting personal data from them in turn, are the operator's.",
    "Breach notification within 72 hours is the operator's.",
    "TLS in front of vnform (VNFORM_HTTPS) is the operator's.",
)


@dataclass(frozen=True)
class FormRecord:
    """One form's entry in the record of processing."""

    form: str
    title: str
    agency: str
    controller: str
    purpose: dict[str, str]
    retention_days: int | None
    fields: list[dict[str, str]]
    held: dict[str, Any]
    access: list[dict[str, str]]
    recipients: list[str]
    safeguards: list[str] = field(default_factory=lambda: list(SAFEGUARDS))
    operator_duties: list[str] = field(default_factory=lambda: list(OPERATOR))


def form_record(spec: FormSpec, held: PersonalHeld, accounts: Sequence[Official],
                tokens: Sequence[ApiClient], daily_purge: bool) -> FormRecord:
    """The entry of *spec* (a form with personal-data questions)."""
    lang = spec.languages[0]
    fields_ = [{"column": key, "question": q.label.get(lang),
                "category": q.personal_data or ""}
               for q in spec.personal_questions for key in q.columns]
    access = [{"account": a.email, "role": a.role} for a in accounts
              if a.personal_data and not a.disabled and a.can_see(spec.agency)]
    recipients = [f"API token {t.name!r}: aggregate indicators only" for t in tokens
                  if not t.revoked and t.can_see(spec.agency)]
    if spec.definition.get("open_data") is True:
        recipients.append("The public (open data): aggregate indicators of completed "
                          "periods only")
    safeguards = list(SAFEGUARDS)
    if not daily_purge:
        safeguards[4] = ("Answers past the form's retention are erased by `vnform purge`, "
                         "run by the operator (the daily job is off).")
    return FormRecord(
        form=spec.id, title=spec.title.get(lang), agency=spec.agency,
        controller=spec.controller.get(lang) if spec.controller else "",
        purpose={code: text for code, text in (spec.purpose.values if spec.purpose else ())},
        retention_days=spec.retention_days, fields=fields_,
        held={"responses_with_personal_data": held.responses,
              "answers_per_field": held.answers, "consents_given": held.consents_given,
              "consents_declined": held.consents_declined,
              "responses_erased": held.erased},
        access=access, recipients=recipients, safeguards=safeguards)


def as_json(records: Sequence[FormRecord]) -> str:
    return json.dumps({"forms": [asdict(r) for r in records]}, ensure_ascii=False,
                      indent=2) + "\n"


def as_markdown(records: Sequence[FormRecord]) -> str:
    lines = ["# Record of processing of personal data", ""]
    if not records:
        lines.append("No form collects personal data.")
    for r in records:
        lines += [f"## {r.title} (`{r.form}`)", "",
                  f"- Agency: `{r.agency}`; controller: {r.controller}",
                  *(f"- Purpose ({code}): {text}" for code, text in r.purpose.items()),
                  f"- Retention: {r.retention_days} days after the answers are sent", "",
                  "| Field | Question | Category |", "| --- | --- | --- |",
                  *(f"| `{f['column']}` | {_cell(f['question'])} | {f['category']} |"
                    for f in r.fields), "",
                  f"- Held now: {r.held['responses_with_personal_data']} response(s) with "
                  "personal data; answers per field: " + _counts(r.held["answers_per_field"]),
                  f"- Consents: {r.held['consents_given']} given, "
                  f"{r.held['consents_declined']} declined; "
                  f"{r.held['responses_erased']} response(s) erased",
                  "- Who can see them unmasked: " + (", ".join(
                      f"{a['account']} ({a['role']})" for a in r.access) or "nobody"),
                  "- Who receives data: " + ("; ".join(r.recipients) or "nobody"), "",
                  "Safeguards:", "", *(f"- {s}" for s in r.safeguards), "",
                  "The operator's duties:", "", *(f"- {s}" for s in r.operator_duties), ""]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"`{key}` {n}" for key, n in sorted(counts.items())) or "none"
