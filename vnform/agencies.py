"""Agencies' names in each language, from one YAML file (``agencies.yaml``, or
``VNFORM_AGENCIES_FILE``), so that pages say "UBND phường Ba Đình" where forms, accounts
and indicators keep the code ``ubnd-phuong-ba-dinh``::

    ubnd-phuong-ba-dinh: {vi: UBND phường Ba Đình, en: Ba Dinh Ward People's Committee}
    so-tttt-ha-noi:
      vi: Sở Thông tin và Truyền thông Hà Nội
      en: Hanoi Department of Information and Communications

An agency missing from the file is shown by its code. Pure: text in, names out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["AgencyNames", "load_names", "parse_names"]

_CODE = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class AgencyNames:
    """Names by agency code and language; problems found reading them."""

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def name(self, code: str, lang: str) -> str:
        """The agency's name in *lang* (else in its other language, else its code)."""
        known = self.names.get(code)
        if not known:
            return code
        return known.get(lang) or next(iter(known.values()), code)

    def known(self, code: str) -> bool:
        return code in self.names


def parse_names(text: str, source: str) -> AgencyNames:
    """The names of *text*; each entry that is not ``code: {vi: name, en: name}`` (or
    one name for both languages) is left out with a ``source: message`` problem."""
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        return AgencyNames({}, (f"{source}: nested too deeply to be a list of agencies",))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        return AgencyNames({}, (f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}",))
    if data is None:
        return AgencyNames()
    if not isinstance(data, dict):
        return AgencyNames({}, (f"{source}: expected agency codes, each with its names",))
    names: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for code, value in data.items():
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            problems.append(f"{source}: '{code}' is not an agency code (lowercase letters, "
                            "digits and -)")
        elif isinstance(value, str) and value.strip():
            names[code] = {"vi": value.strip(), "en": value.strip()}
        elif isinstance(value, dict) and value and all(
                lang in ("vi", "en") and isinstance(name, str) and name.strip()
                for lang, name in value.items()):
            names[code] = {lang: name.strip() for lang, name in value.items()}
        else:
            problems.append(f"{source}: '{code}': write its name, or {{vi: ..., en: ...}}")
    return AgencyNames(names, tuple(problems))


def load_names(path: Path) -> AgencyNames:
    """The names in the file at *path*; none when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AgencyNames()
    except (OSError, UnicodeDecodeError) as exc:
        return AgencyNames({}, (f"{path}: cannot be read: {exc}",))
    return parse_names(text, str(path))
