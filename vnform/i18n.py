"""Interface languages: Vietnamese first, English second, through gettext catalogues.

Interface strings are written in English in the code and templates (the message ids);
``vnform/locale/<lang>/LC_MESSAGES/messages.po`` translates them. Catalogues are
compiled in memory when first used, so no build step or binary file is needed.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue for *lang*; English (the message ids themselves) needs none."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang not in LANGUAGES or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark *message* for the catalogue without translating it here."""
    return message


def choose(requested: str | None, available: tuple[str, ...]) -> str:
    """The language to use: the requested one when *available* has it, else the first."""
    if requested in available:
        return requested  # type: ignore[return-value]
    return available[0] if available else DEFAULT_LANGUAGE
