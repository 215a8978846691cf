"""Targets of plan 2682/KH-UBND (section II.2), as plain data for the seed migration and tests.

(indicator, category, milestone, low, high); None where the plan gives no figure.
"""

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
