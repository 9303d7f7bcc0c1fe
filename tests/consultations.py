"""Consultation forms shared by the tests: a short draft decree, in Markdown, with
Vietnamese legal numbering."""

from __future__ import annotations

import re
import textwrap
from typing import Any

DRAFT = """\
# Dự thảo Nghị định về cấp phiếu lý lịch tư pháp trực tuyến

Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;

## Chương I. QUY ĐỊNH CHUNG

### Điều 1. Phạm vi điều chỉnh

Nghị định này quy định việc cấp phiếu lý lịch tư pháp qua mạng.

### Điều 2. Thời hạn giải quyết

1. Thời hạn cấp phiếu không quá 10 ngày.
2. Trường hợp phức tạp, thời hạn không quá 15 ngày.

## Chương II. ĐIỀU KHOẢN THI HÀNH

### Điều 3. Hiệu lực thi hành

Nghị định này có hiệu lực từ ngày 01 tháng 7 năm 2027.
"""

REVISED = DRAFT.replace("không quá 10 ngày", "không quá 5 ngày làm việc").replace(
    "### Điều 3. Hiệu lực thi hành", "### Điều 3. Phí\n\nKhông thu phí khi nộp trực tuyến.\n\n"
    "### Điều 4. Hiệu lực thi hành")

URL = "/f/du-thao"


def consultation_yaml(*, extra: str = "", questions: str = "", draft: str = DRAFT,
                      public: bool = True) -> str:
    """A consultation form (id du-thao) on *draft*, Markdown written in the form."""
    text = textwrap.dedent(f"""\
        id: du-thao
        kind: consultation
        title: {{vi: Góp ý dự thảo Nghị định, en: Comments on the draft decree}}
        agency: bo-tu-phap
        languages: [vi, en]
        public_comments: {'true' if public else 'false'}
        """) + extra
    text += "document: |\n" + textwrap.indent(draft, "  ")
    if questions:
        text += "questions:\n" + textwrap.indent(textwrap.dedent(questions).strip("\n"),
                                                 "  ") + "\n"
    return text


def hidden_fields(page: Any) -> dict[str, str]:
    """The CSRF token and the one-time token a page's forms carry."""
    return {name: re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)
            for name in ("csrf_token", "_token")}


def comment(client: Any, article: str, url: str = URL, **fields: str) -> Any:
    """Open an article's comment page and post *fields* on it; returns the response
    to the post (not followed)."""
    page = client.get(f"{url}/a/{article}")
    assert page.status_code == 200, page.status_code
    return client.post(f"{url}/a/{article}", data={**hidden_fields(page), **fields},
                       follow_redirects=False)


def send(client: Any, url: str = URL, **answers: str) -> Any:
    """Send the visit's comments from the review page (not followed)."""
    page = client.get(f"{url}/review")
    return client.post(f"{url}/review", data={**hidden_fields(page), **answers,
                                              "_action": "submit"},
                       follow_redirects=False)
