"""Dashboard and export filters: parsed from a URL's query, carried back into links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vnform.forms.spec import FormSpec, Question
from vnform.i18n import LANGUAGES

#: Question types whose single answer can define a segment.
SEGMENT_TYPES = frozenset({"single_choice", "dropdown", "yes_no", "likert", "rating", "nps"})


@dataclass(frozen=True)
class Filters:
    """Which responses a view or export covers. Dates are local days, both inclusive."""

    since: dt.date | None = None
    until: dt.date | None = None
    language: str | None = None
    version: str | None = None
    segment: tuple[str, str] | None = None  # (question id, answer value)

    @property
    def active(self) -> bool:
        return any((self.since, self.until, self.language, self.version, self.segment))

    def params(self) -> dict[str, str]:
        """The query parameters that reproduce these filters (for shareable URLs)."""
        params = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "language": self.language or "",
            "version": self.version or "",
            "segment": f"{self.segment[0]}:{self.segment[1]}" if self.segment else "",
        }
        return {k: v for k, v in params.items() if v}

    def window(self, tz: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[start, end) in UTC: from the start of `since` to the end of `until`, local time."""
        start = end = None
        if self.since:
            start = dt.datetime.combine(self.since, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        if self.until:
            after = self.until + dt.timedelta(days=1)
            end = dt.datetime.combine(after, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        return start, end

    def describe(self) -> dict[str, str]:
        """The filters as plain values, for the audit trail."""
        return self.params()


def segment_questions(spec: FormSpec, personal: bool = False) -> list[Question]:
    """The questions whose answers can narrow a view: single-answer ones, and of those
    that hold personal data only for an official who may see it (a segment of them
    would list whose answer was what)."""
    return [q for q in spec.questions if q.type in SEGMENT_TYPES
            and (personal or not q.personal_data)]


def parse_filters(query: Mapping[str, str], spec: FormSpec,
                  versions: Sequence[str], personal: bool = False) -> tuple[Filters, list[str]]:
    """Filters from a query string; each unusable value is dropped with a reason (a
    segment of a personal-data question too, unless *personal*)."""
    problems: list[str] = []
    since = _date(query.get("since"), "since", problems)
    until = _date(query.get("until"), "until", problems)
    if since and until and since > until:
        problems.append("until")
        until = None
    language = query.get("language") or None
    if language is not None and language not in LANGUAGES:
        problems.append("language")
        language = None
    version = query.get("version") or None
    if version is not None and version not in versions:
        problems.append("version")
        version = None
    segment = None
    if raw := query.get("segment"):
        question_id, _, value = raw.partition(":")
        question = spec.question(question_id)
        if question and question.type in SEGMENT_TYPES and question.choice(value) \
                and (personal or not question.personal_data):
            segment = (question_id, value)
        else:
            problems.append("segment")
    return Filters(since, until, language, version, segment), problems


#: The years a date filter may name: any survey's, with room (year 1 and 9999 would
#: overflow once shifted between the local time zone and UTC).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _date(raw: str | None, name: str, problems: list[str]) -> dt.date | None:
    """A day typed as Vietnamese and English readers write it, ``27/11/2026`` (also
    ``27.11.2026`` or ``27-11-2026``: a phone's keypad may lack "/"), or as an address
    keeps it, ``2026-11-27``."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    try:
        if found := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text, re.ASCII):
            day = dt.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        problems.append(name)
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # beyond, local days overflow in UTC
        problems.append(name)
        return None
    return day


def masked(count: int, minimum: int, active: bool) -> tuple[int | None, str]:
    """A count as shown: below *minimum* within a filtered segment it reads "< minimum",
    so that filters cannot single out a citizen; unfiltered figures stay exact."""
    if active and 0 < count < minimum:
        return None, f"< {minimum}"
    return count, str(count)
