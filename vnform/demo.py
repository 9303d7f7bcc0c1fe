"""Generated responses for demonstrations and benchmarks (`vnform demo`).

Pure functions: a form in, plausible clean answers out. Each answer is made the way a
citizen's would be: a question is answered only when its ``show_if`` holds for the
answers before it, required ones always; choices come from the form, and typed answers
(numbers, dates, text, email, phone) go through the app's own cleaners
(:mod:`vnform.cleaning`), so what is stored is exactly what a submission would store.
The same seed gives the same answers, languages and times.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from vnform.cleaning import TEXT_CLEANERS, Invalid
from vnform.forms.spec import SCALE_TYPES, TEXT_TYPES, FormSpec, Question

Value = str | list[str]
Maker = Callable[[random.Random], Value | None]

#: Share of citizens who answer an optional question of each type (when it is shown).
ANSWER_RATE = {"text": 0.4, "textarea": 0.3, "email": 0.3, "phone": 0.3, "integer": 0.7,
               "decimal": 0.6, "date": 0.7, "multiple_choice": 0.7}
DEFAULT_RATE = 0.9
#: A typed answer that its rules refuse is drawn again, this many times at most.
ATTEMPTS = 20

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Xuân", "Thu")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Ngân", "Phong", "Phương", "Quân",
         "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến")
ASCII_GIVEN = ("an", "binh", "chau", "dung", "giang", "ha", "hai", "hanh", "hoa", "hung",
               "huong", "khanh", "lan", "linh", "long", "mai", "nam", "phong", "quan", "son")
ASCII_FAMILY = ("nguyen", "tran", "le", "pham", "hoang", "phan", "vu", "dang", "bui", "do")
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "example.vn", "fpt.vn")
SENTENCES = (
    "Cán bộ hướng dẫn tận tình, chu đáo.",
    "Thời gian chờ đợi còn lâu, cần bố trí thêm quầy tiếp nhận.",
    "Cổng dịch vụ công đôi khi bị chậm vào giờ cao điểm.",
    "Nên có hướng dẫn chi tiết hơn về các giấy tờ cần nộp.",
    "Tôi rất hài lòng với kết quả giải quyết hồ sơ.",
    "Phí, lệ phí nên được công khai rõ ràng hơn.",
    "Ứng dụng trên điện thoại dễ sử dụng.",
    "Việc thanh toán trực tuyến còn gặp lỗi.",
    "Cần thông báo tiến độ xử lý hồ sơ qua tin nhắn.",
    "Nhân viên bảo vệ và bãi gửi xe cần cải thiện.",
    "The staff were helpful and the process was clear.",
    "Please add more information in English on the portal.",
    "- Bổ sung chỗ ngồi chờ; - Thêm máy lấy số thứ tự.",
    "Không có ý kiến gì thêm.",
)
WORDS = ("hồ", "sơ", "thủ", "tục", "nhanh", "gọn", "tốt", "chậm", "rõ", "ràng", "dịch", "vụ",
         "công", "trực", "tuyến", "cán", "bộ", "một", "cửa", "phường", "quận")


@dataclass(frozen=True)
class Generated:
    """One generated response: when, in which language, and its clean answers by key."""

    submitted_at: dt.datetime
    language: str
    answers: dict[str, Value]


@dataclass(frozen=True)
class _Slot:
    question: Question
    makers: tuple[tuple[str, Maker], ...]  # (answer key, maker): one per matrix row
    rate: float


class DemoError(ValueError):
    """The form has a question no generated answer can satisfy."""


def generate(spec: FormSpec, count: int, *, seed: int | None = None,
             end: dt.datetime | None = None, days: float = 30.0) -> Iterator[Generated]:
    """*count* responses to *spec*, submitted in order over the *days* before *end*."""
    if count < 1:
        raise ValueError("the number of responses must be 1 or more")
    if days <= 0:
        raise ValueError("the number of days must be more than 0")
    end = end or dt.datetime.now(dt.UTC)
    rng = random.Random(seed)
    slots = plan(spec, end.date())
    languages = spec.languages
    language_weights = list(accumulate(4 if i == 0 else 1 for i in range(len(languages))))
    start = end - dt.timedelta(days=days)
    step = dt.timedelta(days=days) / count
    for i in range(count):
        moment = start + step * (i + rng.random())
        language = rng.choices(languages, cum_weights=language_weights)[0]
        yield Generated(moment, language, answers(slots, rng))


def answers(slots: list[_Slot], rng: random.Random) -> dict[str, Value]:
    """One citizen's answers: a question is answered only when it is shown for the
    answers before it (as :func:`vnform.answers.visible_questions` decides)."""
    given: dict[str, Value] = {}
    for slot in slots:
        condition = slot.question.show_if
        if condition is not None and not condition.evaluate(given):
            continue
        if not slot.question.required and rng.random() >= slot.rate:
            continue
        for key, make in slot.makers:
            value = make(rng)
            if value:  # None, "" and [] are unanswered
                given[key] = value
    return given


def plan(spec: FormSpec, today: dt.date) -> list[_Slot]:
    """How each question of *spec* is answered; refuses a required question that no
    generated answer satisfies (a text pattern it cannot guess, say)."""
    slots = []
    for question in spec.questions:
        make = _maker(question, today)
        probe = random.Random(0)
        if not any(make(probe) for _ in range(ATTEMPTS)):
            if question.required:
                raise DemoError(f"cannot generate a valid answer to question "
                                f"'{question.id}' (its rules allow no generated answer)")
            continue  # never answered: as a citizen who skips it
        makers = tuple((key, make) for key in question.columns)
        slots.append(_Slot(question, makers, ANSWER_RATE.get(question.type, DEFAULT_RATE)))
    return slots


def _maker(question: Question, today: dt.date) -> Maker:
    if question.multiple:
        return _several(question)
    if question.choices:
        return _one_of(question)
    raw = _raw_maker(question, today)
    clean = TEXT_CLEANERS[question.type]
    rules = question.rules
    limit = rules.max_length if question.type in ("text", "textarea") else None

    def typed(rng: random.Random) -> str | None:
        # The app's own cleaner decides, as it does for a citizen's answer.
        for _ in range(ATTEMPTS):
            text = raw(rng)
            if limit is not None:
                text = text[:limit]
            try:
                return clean(text, rules)
            except Invalid:
                continue
        return None

    return typed


def _one_of(question: Question) -> Maker:
    """Single choices, skewed like real satisfaction data: scales lean to the top."""
    values = [c.value for c in question.choices]
    if question.type == "yes_no":
        weights = [3.0 if v == "yes" else 1.0 for v in values]
    elif question.type in SCALE_TYPES:
        points = [c for c in question.choices if not c.not_applicable]
        weights = [0.5 if c.not_applicable else 1.0 + points.index(c) for c in question.choices]
    else:
        weights = [1.0 / (1 + 0.5 * i) for i in range(len(values))]
    cumulative = list(accumulate(weights))

    def one(rng: random.Random) -> str:
        return rng.choices(values, cum_weights=cumulative)[0]

    return one


def _several(question: Question) -> Maker:
    """Multiple choice: a few options (within min/max_choices), in the form's order."""
    values = [c.value for c in question.choices]
    low = max(1, question.rules.min_choices or 1)
    high = min(len(values), question.rules.max_choices or len(values))

    def several(rng: random.Random) -> list[str] | None:
        if low > high:
            return None
        k = low + int(rng.random() ** 2 * (high - low + 1))
        chosen = set(rng.sample(values, min(k, high)))
        return [v for v in values if v in chosen]

    return several


def _raw_maker(question: Question, today: dt.date) -> Callable[[random.Random], str]:
    """What a citizen might type for a typed question (cleaned afterwards)."""
    rules = question.rules
    kind = question.type
    if kind in ("integer", "decimal"):
        low = _number(rules.min, 0.0 if kind == "decimal" else 1.0)
        high = _number(rules.max, low + (1000.0 if kind == "decimal" else 100.0))
        if kind == "integer":
            first, last = math.ceil(low), math.floor(high)
            return lambda rng: str(int(rng.triangular(first, last + 0.999, first)))
        return lambda rng: f"{min(high, low + rng.lognormvariate(3.0, 1.0)):.1f}"
    if kind == "date":
        low = rules.min if isinstance(rules.min, dt.date) else None
        high = rules.max if isinstance(rules.max, dt.date) else None
        last = high or max(today, low or today)
        first = low or last - dt.timedelta(days=365)
        span = max(0, (last - first).days)
        return lambda rng: (first + dt.timedelta(days=rng.randint(0, span))).isoformat()
    if kind == "email":
        return lambda rng: (f"{rng.choice(ASCII_GIVEN)}.{rng.choice(ASCII_FAMILY)}"
                            f"{rng.randint(1, 999)}@{rng.choice(DOMAINS)}")
    if kind == "phone":
        return lambda rng: (f"0{rng.choice('35789')}{rng.randint(0, 99):02d} "
                            f"{rng.randint(0, 999):03d} {rng.randint(0, 999):03d}")
    if kind == "textarea":
        return lambda rng: " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
    assert kind in TEXT_TYPES, kind
    if question.autocomplete == "name":
        return lambda rng: f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    if rules.pattern is not None:
        return _patterned(question)
    return lambda rng: " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))


def _patterned(question: Question) -> Callable[[random.Random], str]:
    """A text with a `pattern`: the first of a few common shapes (case codes, numbers,
    words) that the pattern accepts."""
    shapes: list[Callable[[random.Random], str]] = [
        lambda rng: (f"000.00.{rng.randint(1, 99):02d}.H{rng.randint(1, 99):02d}-"
                     f"{rng.randint(250101, 261231)}-{rng.randint(1, 9999):04d}"),
        lambda rng: str(rng.randint(100000, 99999999)),
        lambda rng: rng.choice(ASCII_FAMILY).upper() + str(rng.randint(10, 9999)),
        lambda rng: " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))),
    ]
    pattern = question.rules.pattern
    assert pattern is not None
    probe = random.Random(0)
    for shape in shapes:
        if any(pattern.fullmatch(shape(probe)) for _ in range(5)):
            return shape
    return shapes[-1]


def _number(limit: object, default: float) -> float:
    return float(limit) if isinstance(limit, int | float) else default
