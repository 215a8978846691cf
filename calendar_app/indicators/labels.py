"""What people read about the indicators: translated labels for the dashboard, Vietnamese for the report.

The XLSX export and the printed report are the official report sent to the provincial People's Committee
(plan 2682/KH-UBND, section IV): they are written in Vietnamese whatever the interface language. Their
indicator names, headers and units are the plan's wording, fixed here; the names of institution categories and
statuses are the vocabulary's (calendar_app/vocabulary.py) read in Vietnamese, so the dashboard, the report,
the exports and the admin pages call them the same.
"""
from collections.abc import Iterator, Mapping
from functools import lru_cache

from babel.numbers import format_decimal as babel_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..vocabulary import INDICATOR_STATUSES, INSTITUTION_CATEGORIES, in_vietnamese

INDICATOR_NAMES = {
    "library_lifelong_services": _l("Libraries providing lifelong-learning services"),
    "library_digital": _l("Libraries using digital technology for lifelong learning"),
    "library_users_growth": _l("Growth in library users"),
    "museum_education_programmes": _l("Museum education programmes"),
    "museum_study_visitors_growth": _l("Growth in museum visitors who come to learn"),
    "culture_district_activities": _l("District culture centres serving every age group"),
    "culture_commune_clubs": _l("Commune culture centres with clubs or classes"),
}

INDICATOR_DEFINITIONS = {
    "library_lifelong_services": _l("Share of libraries with at least one activity held this year that had "
                                    "participants."),
    "library_digital": _l("Share of libraries whose self-assessment ticks a digital item, or that held an "
                          "activity with online participants."),
    "library_users_growth": _l("Change in library visits plus activity participants over the previous year."),
    "museum_education_programmes": _l("Education programmes each museum has run since 2023."),
    "museum_study_visitors_growth": _l("Change in visitors who came to learn plus activity participants at "
                                       "museums over the previous year."),
    "culture_district_activities": _l("Share of district centres whose activities this year reached at least "
                                      "two audiences or covered two kinds of activity."),
    "culture_commune_clubs": _l("Share of commune centres that held a club or class this year, or reported "
                                "club members."),
}

#: how the drill-down list is titled: who has not been counted yet
MISSING_TITLES = {
    "library_lifelong_services": _l("Libraries with no lifelong-learning activity with participants this year"),
    "library_digital": _l("Libraries with no digital item and no online participants this year"),
    "library_users_growth": _l("Libraries that reported no visits and no participants this year"),
    "museum_education_programmes": _l("Museums with no education programme since 2023"),
    "museum_study_visitors_growth": _l("Museums that reported no study visitors and no participants this year"),
    "culture_district_activities": _l("District centres whose activities reached fewer than two audiences "
                                      "and kinds of activity"),
    "culture_commune_clubs": _l("Commune centres with no club or class this year"),
}

STATUSES = INDICATOR_STATUSES

ALL_LIBRARIES = _l("All libraries")
ALL_MUSEUMS = _l("All museums")

# --- the official report, in Vietnamese ------------------------------------------------------------------

VI_INDICATOR_NAMES = {
    "library_lifelong_services": "Tỷ lệ thư viện có cung cấp dịch vụ phục vụ học tập suốt đời",
    "library_digital": "Tỷ lệ thư viện ứng dụng công nghệ thông tin và chuyển đổi số phục vụ học tập suốt đời",
    "library_users_growth": "Tăng trưởng số lượt người sử dụng thư viện",
    "museum_education_programmes": "Số chương trình giáo dục của bảo tàng (từ năm 2023)",
    "museum_study_visitors_growth": "Tăng trưởng số lượt khách đến bảo tàng để nghiên cứu, học tập",
    "culture_district_activities": "Tỷ lệ Trung tâm VH-TT-DL-TT cấp huyện tổ chức hoạt động phù hợp từng nhóm "
                                   "đối tượng",
    "culture_commune_clubs": "Tỷ lệ trung tâm văn hóa và học tập cộng đồng cấp xã có lớp năng khiếu, câu lạc bộ",
}

#: sheet names: at most 31 characters, none of []:*?/\
VI_SHEET_NAMES = {
    "library_lifelong_services": "TV học tập suốt đời",
    "library_digital": "TV chuyển đổi số",
    "library_users_growth": "Tăng người dùng TV",
    "museum_education_programmes": "Chương trình bảo tàng",
    "museum_study_visitors_growth": "Tăng khách học tập BT",
    "culture_district_activities": "TTVH cấp huyện",
    "culture_commune_clubs": "TTVH-HTCĐ cấp xã",
}

class _Remembered(Mapping):
    """Words read once each: reading a word in Vietnamese switches the locale (force_locale), which costs more
    than the rest of a printed report's row, and the catalogue does not change while the process runs."""

    def __init__(self, words: Mapping):
        self._words = words
        self._read: dict = {}

    def __getitem__(self, key):
        if key not in self._read:
            self._read[key] = self._words[key]
        return self._read[key]

    def __iter__(self) -> Iterator:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)


#: the vocabulary's words in Vietnamese, whatever the reader's language
VI_CATEGORIES = _Remembered(in_vietnamese(INSTITUTION_CATEGORIES))

VI_ALL = {"library_users_growth": "Tất cả thư viện", "museum_study_visitors_growth": "Tất cả bảo tàng"}

VI_STATUSES = _Remembered(in_vietnamese(INDICATOR_STATUSES))

VI_UNITS = {"percent": "%", "programmes": "chương trình"}

VI_HEADERS = {
    "area": "Địa bàn",
    "code": "Mã địa bàn",
    "category": "Loại thiết chế",
    "institution": "Thiết chế",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "numerator_growth": "Năm báo cáo",
    "denominator_growth": "Năm trước",
    "numerator_programmes": "Số chương trình",
    "value": "Kết quả",
    "target": "Chỉ tiêu",
    "status": "Đánh giá",
}

VI_TITLE = "Báo cáo kết quả thực hiện {plan} năm {year}"
#: the same, under the word BÁO CÁO at the head of the printed report
VI_SUBJECT = "Kết quả thực hiện {plan} năm {year}"
#: what a plan's number says it is ("2682/KH-UBND": a Kế hoạch, "1520/QĐ-TTg": a Quyết định)
VI_PLAN_KINDS = {"KH": "Kế hoạch", "QĐ": "Quyết định", "CT": "Chương trình", "ĐA": "Đề án"}


def vi_plan_reference(plan) -> str:
    """"Kế hoạch số 2682/KH-UBND ngày 18/7/2023" — how a report names the plan it answers; "" without one."""
    if plan is None:
        return "các chỉ tiêu"
    code = plan.number.split("/", 1)[-1].split("-", 1)[0]
    kind = VI_PLAN_KINDS.get(code, "văn bản")
    day = f" ngày {plan.issued_on.day}/{plan.issued_on.month}/{plan.issued_on.year}" if plan.issued_on else ""
    return f"{kind} số {plan.number}{day}"


def vi_row_label(key: str, row) -> str:
    """The first column of a report row: the category, the museum's name, or 'all libraries'."""
    if row.institution is not None:
        return row.name or row.institution
    if row.category is None:
        return VI_ALL.get(key, "")
    return VI_CATEGORIES.get(row.category, row.category)


def row_label(key: str, row) -> str:
    """The same, in the interface language."""
    if row.institution is not None:
        return row.name or row.institution
    if row.category is None:
        return str(ALL_LIBRARIES if key == "library_users_growth" else ALL_MUSEUMS)
    return str(INSTITUTION_CATEGORIES.get(row.category, row.category))


def format_figure(value, unit: str = "percent", locale: str | None = None) -> str:
    """33.3 → '33,3%' in Vietnamese (the interface's locale, or `locale`); None → '—'."""
    if value is None:
        return "—"
    return _formatted(value, unit, locale or figures_locale())


def figures_locale() -> str:
    """The interface's locale, as format_figure takes it (a template or chart writing many figures looks it
    up once and passes it)."""
    return str(get_locale() or "vi")


@lru_cache(maxsize=4096, typed=True)
def _formatted(value, unit: str, locale: str) -> str:
    # a dashboard writes a thousand figures, most of them the same few: Babel formats each once
    pattern = "#,##0.#" if unit in ("percent", "programmes") else "#,##0"
    text = babel_decimal(value, pattern, locale=locale)
    return f"{text}%" if unit == "percent" else text
