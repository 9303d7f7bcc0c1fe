"""A form's data across its versions: the specs and export columns shared by the web
and the command line."""

from __future__ import annotations

from vnform import store
from vnform.export import Column, columns
from vnform.forms.building import build_from_definition
from vnform.forms.spec import FormSpec


async def form_versions(form_id: str,
                        current: FormSpec | None) -> tuple[FormSpec, list[FormSpec]] | None:
    """The current spec (the served file, else the newest stored version) and the older
    stored versions, newest first; None when the form is unknown."""
    stored = await store.stored_versions(form_id)
    older = [build_from_definition(definition) for version, definition in reversed(stored)
             if current is None or version != current.version]
    if current is None:
        if not older:
            return None
        current, older = older[0], older[1:]
    return current, older


async def export_columns(form_id: str,
                         current: FormSpec | None) -> tuple[FormSpec, list[Column]] | None:
    found = await form_versions(form_id, current)
    if found is None:
        return None
    spec, older = found
    return spec, columns(spec, older)
