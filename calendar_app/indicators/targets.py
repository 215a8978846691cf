"""The plans every installation starts with and their targets, as plain data for the seed and tests.

Targets are (indicator, category, milestone, low, high); None where the plan gives no figure. A plan sets
no target for what it does not measure: the report shows "no target" there, never an invented one.
"""
from datetime import date

LIBRARY_ORDER = ("library_provincial", "library_district", "library_commune",
                 "library_university", "library_armed_forces", "library_school")


def _per_category(indicator, milestone, figures):
    rows = []
    for category, figure in zip(LIBRARY_ORDER, figures, strict=True):
        low, high = figure if isinstance(figure, tuple) else (figure, None)
        rows.append((indicator, category, milestone, low, high))
    return rows


DEFAULT_TARGETS = [
    *_per_category("library_lifelong_services", 2025, [100, 70, 40, 100, 80, 70]),
    *_per_category("library_lifelong_services", 2030, [100, 90, 60, 100, 100, 90]),
    *_per_category("library_digital", 2025, [100, 60, 20, 100, 80, 70]),
    # the plan gives four figures for five categories in 2030: the school row stays without a target
    *_per_category("library_digital", 2030, [100, 70, (25, 30), 100, 80, None]),
    ("library_users_growth", "", 2025, 10, None),
    ("library_users_growth", "", 2030, 10, 15),
    ("museum_education_programmes", "museum", 2025, 1, None),
    ("museum_education_programmes", "museum", 2030, 3, 5),
    ("museum_study_visitors_growth", "", 2025, 10, None),
    ("museum_study_visitors_growth", "", 2030, 10, 15),
    ("culture_district_activities", "", 2025, 80, None),
    ("culture_district_activities", "", 2030, 100, None),
    ("culture_commune_clubs", "", 2025, 70, None),
    ("culture_commune_clubs", "", 2030, 100, None),
]

#: Decision 1520/QĐ-TTg, section on libraries: the share of libraries serving lifelong learning. It names
#: "university and specialised libraries" together; its other aims do not measure what our indicators count
DECISION_TARGETS = [
    ("library_lifelong_services", category, milestone, figure, None)
    for milestone, figures in ((2025, (100, 70, 40, 90, 90, 80, 70)), (2030, (100, 90, 60, 100, 100, 100, 90)))
    for category, figure in zip(("library_provincial", "library_district", "library_commune", "library_university",
                                 "library_specialized", "library_armed_forces", "library_school"), figures,
                                strict=True)
]


#: (area code, area level, number, title, issued on, is the default, targets)
PLANS = [
    ("VN", "country", "1520/QĐ-TTg",
     "Quyết định phê duyệt Chương trình “Đẩy mạnh các hoạt động phục vụ học tập suốt đời trong thư viện, "
     "bảo tàng, trung tâm văn hóa đến năm 2030”", date(2022, 12, 9), False, DECISION_TARGETS),
    ("25", "province", "2682/KH-UBND",
     "Kế hoạch triển khai Chương trình “Đẩy mạnh các hoạt động phục vụ học tập suốt đời trong thư viện, "
     "bảo tàng, trung tâm văn hóa đến năm 2030” trên địa bàn tỉnh Phú Thọ", date(2023, 7, 18), True,
     DEFAULT_TARGETS),
]
