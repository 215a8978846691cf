"""The seven indicators of SPEC.md, rolled up over an area's subtree by the database: (year, area) in, rows out.

How the figures are made:
- one row of *facts* per institution in scope (held occurrences, attendance, tallies, self-assessment);
  what occurrences, attendance and tallies say is read from the facts facts.py keeps up to date on write:
  the year rows (for the current year corrected by its months ahead as recorded and the shorter part of
  the current month read live), and the year keys with their first meeting for the distinct audiences,
  categories and programmes held by now, so a province report never joins millions of occurrences; a
  year to come reads its months;
- the facts are then grouped by (direct child area, institution category) in SQL, so the database returns
  at most children × categories partial counts; adding the partials of the children gives the area's total.

Decisions where SPEC.md leaves room (documented here so that the figures can be reproduced):
- An occurrence is *held* in year Y when it starts within the local calendar year Y
  (clock.year_bounds_utc), has started (starts_at <= now), is not cancelled itself and its activity is
  `published`.
- Only active institutions are counted: deactivating is how an admin says an institution no longer exists.
- Library indicators give one row per library category present in the area, in vocabulary order; in the
  report of a province (or the country) also every category the plan sets a target for (denominator 0 and
  `no_data` when there is no such library). `library_community` and `library_specialized` rows appear
  when such libraries exist, with `no_target` (the plan names no figure, so none is invented).
  `library_users_growth` counts every library category.
- Per-category indicators give, for every child area, the same categories as the area's own rows (a
  category absent from a child has denominator 0, so value null and status `no_data`).
- `museum_education_programmes` is a count per museum (`museum` and `museum_memorial`), one row per
  institution keyed by slug: numerator = distinct programme keys, denominator = 1, value = the count.
  The plan's target is for category `museum`; memorial and tradition houses have `no_target`.
- The growth indicators and the two culture indicators give one row each; the growth rows' `category`
  is null (all libraries / all museums), the culture rows carry the centre category.
- Status: `no_data` when the value is null; else `no_target` when the year has no target figure; else
  `on_track` when the reported (rounded) value reaches the target's lower bound, `behind` otherwise —
  so anyone reading the document can check the status from the value and target it shows.
- Values are rounded half away from zero to one decimal.

Which institutions a report counts, across administrative reforms (codes are reused by new units, and
institutions move):
- The report for (Y, A) is for the unit A with that code valid during Y (the later one if two were:
  indicators/selection.py). Its reference day R is the last day of Y, or A's last valid day if A closed
  during Y (reference_day).
- It counts the active institutions placed (places.models.Placement) anywhere in A's subtree on R, the
  tree as it stood on R (areas valid on R), with all of their figures for Y, wherever they stood earlier in
  the year. An institution still placed in a unit that no longer exists on R is counted by no report of
  that tree (the dashboard warns about such institutions).
- The child rows are A's direct children valid on R, by code.
- The growth indicators compare the same institutions' totals of Y and Y−1 (like for like): the merged
  province's 2025 growth is measured against the 2024 figures of the institutions it holds on R, wherever
  they stood in 2024.
- So a past year's report is the same document before and after a later move or reform: placements are
  only ever closed and opened from the move's effective day on, and units are closed, never rewritten.
"""
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, RowMapping, and_, case, func, literal, or_, select, text, true, union_all
from sqlalchemy.orm import aliased

from ..clock import local_day, local_midnight_utc, utcnow
from ..events.models import Occurrence
from ..extensions import db
from ..participation.models import SelfAssessment
from ..places.lookup import reference_day, valid_between
from ..places.models import Area, Institution, Placement
from ..vocabulary import LIBRARY_CATEGORIES, MUSEUM_CATEGORIES
from ..years import PLAN_FIRST_YEAR
from . import facts, kept
from .models import IndicatorTarget, InstitutionMonth, InstitutionMonthKey, InstitutionYear, InstitutionYearKey, Plan
from .plans import Targets, plan_for, targets_by_year, targets_for

CHECKLIST = ("digital_catalogue", "digital_resources", "online_services", "digitised_heritage", "online_activities")


@dataclass(frozen=True)
class Indicator:
    key: str
    unit: str
    #: share: % of institutions with a flag; growth: % change of a total; programmes: a count per museum
    kind: str
    #: institution categories the indicator counts
    categories: tuple[str, ...]
    #: share indicators: one row per category (True) or one row for all of them
    per_category: bool = False


INDICATORS = (
    Indicator("library_lifelong_services", "percent", "share", LIBRARY_CATEGORIES, per_category=True),
    Indicator("library_digital", "percent", "share", LIBRARY_CATEGORIES, per_category=True),
    Indicator("library_users_growth", "percent", "growth", LIBRARY_CATEGORIES),
    Indicator("museum_education_programmes", "programmes", "programmes", MUSEUM_CATEGORIES),
    Indicator("museum_study_visitors_growth", "percent", "growth", MUSEUM_CATEGORIES),
    Indicator("culture_district_activities", "percent", "share", ("culture_centre_district",)),
    Indicator("culture_commune_clubs", "percent", "share", ("culture_centre_commune",)),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


@dataclass
class Row:
    numerator: int
    denominator: int
    value: float | None
    target: float | None
    #: upper bound of a range target (10–15), for display only
    target_high: float | None
    status: str
    category: str | None = None
    #: slug, for the per-museum rows
    institution: str | None = None
    #: the institution's name (per-museum rows), for people
    name: str | None = None

    def as_document(self) -> dict:
        head = {"institution": self.institution} if self.institution is not None else {"category": self.category}
        return {**head, "numerator": self.numerator, "denominator": self.denominator, "value": self.value,
                "target": _number(self.target), "status": self.status}


@dataclass
class AreaRows:
    area: Area
    rows: list[Row]


@dataclass
class IndicatorResult:
    indicator: Indicator
    rows: list[Row]
    areas: list[AreaRows] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.indicator.key


@dataclass
class Report:
    year: int
    area: Area
    generated_at: datetime
    indicators: list[IndicatorResult]
    #: the plan whose targets the report measures against (None: no plan at all, so no targets)
    plan: Plan | None = None
    #: (indicator, category) -> the plan's target for the year
    targets: dict = field(default_factory=dict, repr=False)

    def as_document(self) -> dict:
        """The document of GET /api/v1/indicators (SPEC.md)."""
        return {
            "year": self.year,
            "area": self.area.code,
            "area_level": self.area.level,
            "plan": None if self.plan is None else {
                "number": self.plan.number, "title": self.plan.title,
                "issued_on": self.plan.issued_on.isoformat() if self.plan.issued_on else None,
                "area": self.plan.area_code, "area_level": self.plan.area_level},
            "indicators": [
                {"key": result.key, "unit": result.indicator.unit,
                 "rows": [row.as_document() for row in result.rows],
                 "areas": [{"area": part.area.code, "rows": [row.as_document() for row in part.rows]}
                           for part in result.areas]}
                for result in self.indicators
            ],
        }

    def result(self, key: str) -> IndicatorResult:
        return next(result for result in self.indicators if result.key == key)


# --- the pure arithmetic ----------------------------------------------------------------------------------


def round_value(numerator: int, denominator: int, growth: bool = False) -> float | None:
    """100 × n / d (or 100 × (n − d) / d for growth), half away from zero to one decimal; None when d is 0."""
    if not denominator:
        return None
    exact = Decimal(100 * ((numerator - denominator) if growth else numerator)) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def status_of(value: float | None, target: float | None) -> str:
    if value is None:
        return "no_data"
    if target is None:
        return "no_target"
    return "on_track" if value >= target else "behind"


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# --- targets ---------------------------------------------------------------------------------------------


# --- the facts -------------------------------------------------------------------------------------------


def child_areas(area: Area, day: date) -> list[Area]:
    """The direct children of `area` valid on `day`, by code."""
    return list(db.session.scalars(
        select(Area).where(Area.parent_id == area.id, Area.valid_on_filter(day)).order_by(Area.code)))


def _flags_and_totals(a, t, b, attendance_before, variety, assessed_id) -> tuple[dict, dict]:
    """The per-institution condition each share indicator counts, and the (Y, Y−1) totals the growth
    indicators compare, from the columns of what was held (a), the tallies (t), Y−1's year rows (b), the
    variety of keys and the self-assessment (its institution id, NULL when none counts)."""
    flags = {
        "library_lifelong_services": func.coalesce(a.attended, 0) == 1,
        "library_digital": or_(func.coalesce(a.online, 0) == 1, assessed_id.is_not(None)),
        "culture_district_activities": or_(func.coalesce(variety.audiences, 0) >= 2,
                                           func.coalesce(variety.categories, 0) >= 2),
        "culture_commune_clubs": or_(func.coalesce(a.club_or_course, 0) == 1, func.coalesce(t.club_members, 0) > 0),
    }
    totals = {
        "library_users_growth": (func.coalesce(t.library_visits, 0) + func.coalesce(a.attendance, 0),
                                 func.coalesce(b.library_visits, 0) + func.coalesce(attendance_before, 0)),
        "museum_study_visitors_growth": (func.coalesce(t.study_visitors, 0) + func.coalesce(a.attendance, 0),
                                         func.coalesce(b.study_visitors, 0) + func.coalesce(attendance_before, 0)),
    }
    return flags, totals


class Facts:
    """The per-institution fact subqueries of one (year, area), shared by the roll-up and the drill-down."""

    def __init__(self, year: int, area: Area, now: datetime | None = None):
        self.year, self.area = year, area
        self.now = now or utcnow()
        self.day = day = reference_day(year, area)

        place, child = aliased(Area), aliased(Area)
        #: every active institution placed in the subtree on the reference day (the tree as it stood then),
        #: with the direct child area it lies under (NULL when placed in the area itself)
        self.scope = (
            select(Placement.institution_id.label("institution_id"), Institution.category.label("category"),
                   child.id.label("child_id"))
            .join(Institution, Institution.id == Placement.institution_id)
            .join(place, place.id == Placement.area_id)
            .outerjoin(child, and_(child.parent_id == area.id, place.path.startswith(child.path),
                                   Area.valid_on_filter(day, child)))
            .where(Placement.on(day), area.subtree_filter(place.path), Area.valid_on_filter(day, place),
                   Institution.active.is_(True))
            .subquery("scope")
        )
        self.in_scope = select(self.scope.c.institution_id)

        self.this_year = this_year = local_day(self.now).year
        #: the year rows of Y and Y−1: the tallies (entered, whatever the clock says), and what was held in
        #: the years that are over
        self.tally, self.before = self._year_rows(year, "year_facts"), self._year_rows(year - 1, "before_facts")
        if year < this_year:
            self.activity = self.variety = self.tally
        elif year == this_year:
            self._this_year()
        else:
            self._months(since=year - 1)

        self.assessed = (
            select(SelfAssessment.institution_id.label("institution_id"))
            .where(SelfAssessment.year == year, or_(*(getattr(SelfAssessment, item) for item in CHECKLIST)))
            .subquery("assessed")
        )

        a, t, b = self.activity.c, self.tally.c, self.before.c
        # Y−1's attendance: from its year rows once it is over, else from its months
        attendance_before = b.attendance if year - 1 < this_year else a.attendance_before
        self.flags, self.totals = _flags_and_totals(a, t, b, attendance_before, self.variety.c,
                                                    self.assessed.c.institution_id)

    @staticmethod
    def _year_rows(year: int | Sequence[int], name: str):
        """The year rows of `year` (or of several years, with their year), with what was held as flags (1 or
        0) as the months give them. (Joined to the scope row by row, without grouping: one row per
        institution and year.)"""
        rows = InstitutionYear
        return (select(rows.institution_id, rows.year, case((rows.attended > 0, 1), else_=0).label("attended"),
                       case((rows.online > 0, 1), else_=0).label("online"),
                       case((rows.club > 0, 1), else_=0).label("club_or_course"), rows.attendance,
                       rows.library_visits, rows.study_visitors, rows.club_members, rows.audiences, rows.categories)
                .where(rows.year == year if isinstance(year, int) else rows.year.in_(year))
                .subquery(name))

    def _months(self, since: int) -> None:
        """What was held in a year to come, from the year `since` (Y−1, not over either): the months before
        the current one as recorded, the current month counted live."""
        year = self.year
        first_month, last_month = facts.month_key(date(year, 1, 1)), facts.month_key(date(year, 12, 31))
        months = self._month_rows(facts.month_key(date(since, 1, 1)), last_month)
        this_year = months.c.month >= first_month
        #: held occurrences: flags for Y, attendance totals for Y (and Y−1)
        self.activity = (
            select(
                months.c.institution_id,
                func.max(case((and_(this_year, months.c.attended > 0), 1), else_=0)).label("attended"),
                func.max(case((and_(this_year, months.c.online > 0), 1), else_=0)).label("online"),
                func.max(case((and_(this_year, months.c.club > 0), 1), else_=0)).label("club_or_course"),
                func.sum(case((this_year, months.c.attendance), else_=0)).label("attendance"),
                func.sum(case((this_year, 0), else_=months.c.attendance)).label("attendance_before"),
            )
            .group_by(months.c.institution_id)
            .subquery("activity_facts")
        )
        self.variety = self._variety(first_month, last_month)

    def _this_year(self) -> None:
        """What was held in the current year: its year rows, corrected by its months after the current one as
        recorded (taken off: the year rows count them whole, future meetings included) and by the current
        month's meetings still to come (taken off: read live, or the month taken off whole and its meetings
        so far added, whichever part of the month is shorter). Only the institutions with meetings from this
        month on have a correction, so the year rows are read once, row by row, as the tallies are, and no
        grouping of every institution's rows is needed."""
        year, current = self.year, facts.month_key(local_day(self.now))
        last_month = facts.month_key(date(year, 12, 31))
        rows, months, counted = InstitutionYear, InstitutionMonth, ("attended", "online", "club", "attendance")
        start, end = local_midnight_utc(facts.first_day(current)), local_midnight_utc(facts.first_day_after(current))
        # the month's rows are counts and sums, so its part still to come can be taken off as well as its part
        # so far added: whichever is the shorter part of the month is read live
        so_far = self.now - start <= end - self.now
        ahead = (select(months.institution_id, *((-getattr(months, name)).label(name) for name in counted))
                 .where(months.month.between(current if so_far else current + 1, last_month)))
        if so_far:
            live = facts.month_rows(Occurrence.starts_at >= start, Occurrence.starts_at < end,
                                    Occurrence.starts_at <= self.now).subquery()  # as in _recorded_and_live
            sign = 1
        else:
            live = facts.month_rows(Occurrence.starts_at > self.now, Occurrence.starts_at < end).subquery()
            sign = -1
        parts = union_all(ahead, select(live.c.institution_id, *((sign * live.c[name]).label(name)
                                                                  for name in counted))).subquery()
        correction = (select(parts.c.institution_id, *(func.sum(parts.c[name]).label(name) for name in counted))
                      .group_by(parts.c.institution_id)
                      .subquery("correction"))

        def corrected(name: str):
            return getattr(rows, name) + func.coalesce(correction.c[name], 0)

        self.activity = self.tally = (
            select(rows.institution_id,
                   *(case((corrected(name) > 0, 1), else_=0).label(label)
                     for name, label in (("attended", "attended"), ("online", "online"), ("club", "club_or_course"))),
                   corrected("attendance").label("attendance"),
                   rows.library_visits, rows.study_visitors, rows.club_members)
            .outerjoin(correction, correction.c.institution_id == rows.institution_id)
            .where(rows.year == year)
            .subquery("year_facts")
        )
        keys = InstitutionYearKey  # one row per key held in the year: counted when its first meeting had started
        self.variety = (
            select(keys.institution_id,
                   func.count(case((keys.kind == "audience", keys.key))).label("audiences"),
                   func.count(case((keys.kind == "category", keys.key))).label("categories"))
            .where(keys.kind.in_(("audience", "category")), keys.year == year, keys.first_start <= self.now)
            .group_by(keys.institution_id)
            .subquery("variety")
        )

    def _variety(self, first_month: int, last_month: int):
        """Distinct audiences and categories over the activities a district centre held in Y."""
        keys = self._keys(first_month, last_month)
        return (
            select(keys.c.institution_id,
                   func.count(case((keys.c.kind == "audience", keys.c.key)).distinct()).label("audiences"),
                   func.count(case((keys.c.kind == "category", keys.c.key)).distinct()).label("categories"))
            .where(keys.c.kind.in_(("audience", "category")))
            .group_by(keys.c.institution_id)
            .subquery("variety")
        )

    def joined(self, *columns):
        """SELECT columns FROM scope LEFT JOIN every fact subquery."""
        scope = self.scope.c
        query = select(*columns).select_from(self.scope)
        # a past year's activity, tallies and variety are its year rows
        for part in dict.fromkeys((self.activity, self.tally, self.before, self.assessed, self.variety)):
            query = query.outerjoin(part, part.c.institution_id == scope.institution_id)
        return query

    def programmes(self):
        """Distinct programme keys each museum held from the plan's first year through Y, up to now (a
        subquery): from the year keys, a key counted when its first meeting of a year had started."""
        if self.year > self.this_year:
            return self.programmes_from_months()
        keys = InstitutionYearKey
        return (select(keys.institution_id, func.count(keys.key.distinct()).label("programmes"))
                .where(keys.kind == "programme", keys.year.between(PLAN_FIRST_YEAR, self.year),
                       keys.first_start <= self.now)
                .group_by(keys.institution_id)
                .subquery("programmes"))

    def programmes_from_months(self):
        """The same from the months before the current one and the current month counted live (a year to
        come)."""
        keys = self._keys(facts.month_key(date(PLAN_FIRST_YEAR, 1, 1)), facts.month_key(date(self.year, 12, 31)))
        return (select(keys.c.institution_id, func.count(keys.c.key.distinct()).label("programmes"))
                .where(keys.c.kind == "programme")
                .group_by(keys.c.institution_id)
                .subquery("programmes"))

    def _month_rows(self, first_month: int, last_month: int):
        """Month rows (facts.MONTH_COLUMNS) of the institutions in scope from first_month to last_month."""
        return self._recorded_and_live(InstitutionMonth, facts.MONTH_COLUMNS, facts.month_rows,
                                       first_month, last_month).subquery("months")

    def _keys(self, first_month: int, last_month: int):
        """Key rows (facts.KEY_COLUMNS) of the institutions in scope from first_month to last_month."""
        return self._recorded_and_live(InstitutionMonthKey, facts.KEY_COLUMNS, facts.month_keys,
                                       first_month, last_month).subquery("keys")

    def _recorded_and_live(self, model, columns, live_rows, first_month: int, last_month: int):
        """The recorded facts of the months before the current one, and the current month counted live
        (only its occurrences that have started)."""
        current = facts.month_key(local_day(self.now))
        recorded = (select(*(getattr(model, name) for name in columns))
                    .where(model.month.between(first_month, min(last_month, current - 1)),
                           model.institution_id.in_(self.in_scope)))
        start = local_midnight_utc(facts.first_day(max(current, first_month)))
        end = local_midnight_utc(facts.first_day_after(last_month))
        if start >= min(end, self.now):
            return recorded
        # the month so far, every institution's (the scope is joined later): restricted to the scope here,
        # the database would read every activity of the institutions in scope rather than a month's meetings
        live = live_rows(Occurrence.starts_at >= start, Occurrence.starts_at < end,
                         Occurrence.starts_at <= self.now).subquery()
        return union_all(recorded, select(*live.c))


# --- the roll-up -----------------------------------------------------------------------------------------


def _partials(facts: Facts) -> Sequence[RowMapping]:
    """Per (child area, category): institutions, the share numerators, and the growth totals."""
    scope = facts.scope.c
    counts = [func.sum(case((flag, 1), else_=0)).label(key) for key, flag in facts.flags.items()]
    sums = []
    for key, (current, before) in facts.totals.items():
        sums += [func.sum(current).label(f"{key}_now"), func.sum(before).label(f"{key}_before")]
    query = facts.joined(scope.child_id, scope.category, func.count().label("institutions"), *counts, *sums)
    return db.session.execute(query.group_by(scope.child_id, scope.category)).mappings().all()


def _share_row(numerator: int, denominator: int, target: IndicatorTarget | None, category: str | None = None) -> Row:
    value = round_value(numerator, denominator)
    low, high = (target.low, target.high) if target is not None else (None, None)
    return Row(numerator=numerator, denominator=denominator, value=value, target=low, target_high=high,
               status=status_of(value, low), category=category)


def _growth_row(current: int, before: int, target: IndicatorTarget | None) -> Row:
    value = round_value(current, before, growth=True)
    low, high = (target.low, target.high) if target is not None else (None, None)
    return Row(numerator=current, denominator=before, value=value, target=low, target_high=high,
               status=status_of(value, low))


class Partials:
    """The partial rows per (child area, category), indexed: the sums of a column over a child (None: the
    whole area) and some categories are read from a dict, not by scanning every row for every cell."""

    def __init__(self, rows: Sequence[RowMapping]):
        self.present = {row["category"] for row in rows}
        self._by: dict[tuple[int | None, str], RowMapping] = {}
        self._area: dict[str, dict] = {}
        for row in rows:
            self._by[(row.get("child_id"), row["category"])] = row
            whole = self._area.setdefault(row["category"], {})
            for column, value in row.items():
                if column not in ("child_id", "category", "year"):
                    whole[column] = whole.get(column, 0) + int(value or 0)

    def add(self, child_id: int | None, categories: Collection[str], column: str) -> int:
        """Sum one column over some categories, of a child (None = the whole area)."""
        if child_id is None:
            return sum(self._area[category].get(column, 0) for category in categories if category in self._area)
        return sum(int(row[column] or 0) for category in categories
                   if (row := self._by.get((child_id, category))) is not None)


def _rows_for(indicator: Indicator, partials: Partials, child_id: int | None, categories: Iterable[str],
              targets: Targets) -> list[Row]:
    add = partials.add
    if indicator.kind == "growth":
        return [_growth_row(add(child_id, indicator.categories, f"{indicator.key}_now"),
                            add(child_id, indicator.categories, f"{indicator.key}_before"),
                            targets.get((indicator.key, "")))]
    if indicator.per_category:
        return [_share_row(add(child_id, (category,), indicator.key),
                           add(child_id, (category,), "institutions"),
                           targets.get((indicator.key, category)), category=category)
                for category in categories]
    category = indicator.categories[0]
    return [_share_row(add(child_id, indicator.categories, indicator.key),
                       add(child_id, indicator.categories, "institutions"),
                       targets.get((indicator.key, "")), category=category)]


def _museum_rows(facts: Facts, targets: Targets) -> list[tuple[int | None, Row]]:
    """(child area id, row) per museum in scope, by name."""
    programmes = facts.programmes()
    query = (select(facts.scope.c.child_id, Institution.slug, Institution.name, Institution.category,
                    func.coalesce(programmes.c.programmes, 0))
             .select_from(facts.scope)
             .join(Institution, Institution.id == facts.scope.c.institution_id)
             .outerjoin(programmes, programmes.c.institution_id == facts.scope.c.institution_id)
             .where(facts.scope.c.category.in_(MUSEUM_CATEGORIES))
             .order_by(Institution.name, Institution.slug))
    return [(child_id, _museum_row(slug, name, category, count, targets))
            for child_id, slug, name, category, count in db.session.execute(query)]


def _museum_row(slug: str, name: str, category: str, count: int, targets: Targets) -> Row:
    target = targets.get(("museum_education_programmes", category))
    low, high = (target.low, target.high) if target is not None else (None, None)
    value = float(count)
    return Row(numerator=int(count), denominator=1, value=value, target=low, target_high=high,
               status=status_of(value, low), institution=slug, name=name, category=category)


def _tune_for_reporting() -> None:
    """On PostgreSQL, for this transaction: room to hash the year's occurrences and attendance in memory
    (the 4 MB default spills them to disk), no JIT, whose compiling takes longer than these queries run, and
    a plan made for each statement's values. The driver prepares a statement run five times on a connection,
    and the server then plans it once for any values: not knowing the area's path, it takes its subtree for a
    few rows and walks every placement by nested loops (the museums' rows: 19 ms instead of 5).
    The public API endpoint is rate-limited, so these reports cannot be stacked up by one client."""
    if db.session.get_bind().dialect.name == "postgresql":
        # the four in one statement (SET LOCAL takes one each); no parallel workers: each would build the
        # same hash tables of the year rows again, on cores the workers share
        db.session.execute(text("SELECT set_config('work_mem', '128MB', true), set_config('jit', 'off', true), "
                                "set_config('max_parallel_workers_per_gather', '0', true), "
                                "set_config('plan_cache_mode', 'force_custom_plan', true)"))


def compute(year: int, area: Area, now: datetime | None = None, with_children: bool = True) -> Report:
    """Every indicator of `year` for `area` and its subtree, with the breakdown by direct child area, from
    the figures recorded here (reports.py adds the documents imported from other deployments)."""
    _tune_for_reporting()
    facts = Facts(year, area, now)
    plan = plan_for(area)
    targets = targets_for(year, plan)
    children = child_areas(area, facts.day) if with_children else []
    return _report(year, area, facts.now, Partials(_partials(facts)), _museum_rows(facts, targets), children, plan,
                   targets)


def _report(year: int, area: Area, now: datetime, indexed: "Partials",
            museums: list[tuple[int | None, Row]], children: list[Area], plan: Plan | None,
            targets: Targets) -> Report:
    """The report from the partial rows per (child area, category) and the museums' rows."""
    present = indexed.present
    # a province (or the country) shows every line of its plan: a category with a target has its row even
    # without such institutions (denominator 0, no_data), as the plan's report form does; a district or
    # commune shows only the kinds of institution it has
    whole_plan = area.level in ("country", "province")
    results = []
    for indicator in INDICATORS:
        if indicator.kind == "programmes":
            by_child: dict[int | None, list[Row]] = {}
            for child_id, row in museums:
                by_child.setdefault(child_id, []).append(row)
            result = IndicatorResult(indicator, [row for _child, row in museums],
                                     [AreaRows(child, by_child.get(child.id, [])) for child in children])
        else:
            categories = [c for c in indicator.categories
                          if c in present or (whole_plan and (indicator.key, c) in targets)]
            result = IndicatorResult(
                indicator, _rows_for(indicator, indexed, None, categories, targets),
                [AreaRows(child, _rows_for(indicator, indexed, child.id, categories, targets))
                 for child in children])
        results.append(result)
    return Report(year=year, area=area, generated_at=now, indicators=results, plan=plan, targets=targets)


def past_years(years: Sequence[int], area: Area, now: datetime | None = None,
               museums: Collection[str] | None = None) -> list[Report]:
    """The reports of years that are over (each before the year of `now`), without the child breakdown, in
    at most two statements for all of them (the dashboard's trend): the same documents as `compute` gives one
    by one; with `museums` (slugs), only those museums' rows of the programmes indicator (the ones a chart
    draws). A year's partial rows are kept by this worker until a write changes what they count (kept.py).

    Each year's scope (its reference day's placements and tree) is joined to that year's and the year
    before's rows, the self-assessments of the year and its museums' programme keys since the plan's first
    year, and grouped by (year, category)."""
    now = now or utcnow()
    assert all(year < local_day(now).year for year in years), "past_years counts the years that are over"
    if not years:
        return []
    _tune_for_reporting()
    keys = kept.keys(area.id, years)  # before the figures are read: a write committed meanwhile renews them
    partials = {year: found for year in years if (found := kept.KEPT.get(keys.get(year))) is not None}
    missing = [year for year in years if year not in partials]
    if missing:
        computed = _past_partials(_past_scope(missing, area), missing)
        for year in missing:
            partials[year] = Partials([row for row in computed if row["year"] == year])
            if year in keys:
                kept.KEPT.put(keys[year], partials[year])
    scope = _past_scope(years, area)
    c, keys_held = scope.c, InstitutionYearKey
    programmes = [] if museums is not None and not museums else db.session.execute(
        select(c.year, Institution.slug, Institution.name, Institution.category,
               func.count(keys_held.key.distinct()))
        .select_from(scope)
        .join(Institution, Institution.id == c.institution_id)
        .outerjoin(keys_held, and_(keys_held.institution_id == c.institution_id, keys_held.kind == "programme",
                                   keys_held.year.between(PLAN_FIRST_YEAR, c.year), keys_held.first_start <= now))
        .where(c.category.in_(MUSEUM_CATEGORIES), true() if museums is None else Institution.slug.in_(museums))
        .group_by(c.year, Institution.id, Institution.slug, Institution.name, Institution.category)
        .order_by(c.year, Institution.name, Institution.slug)).all()
    plan = plan_for(area)
    reports = []
    for year, targets in targets_by_year(years, plan).items():
        museum_rows: list[tuple[int | None, Row]] = [(None, _museum_row(slug, name, category, count, targets))
                for museum_year, slug, name, category, count in programmes if museum_year == year]
        reports.append(_report(year, area, now, partials[year], museum_rows, [], plan, targets))
    return reports


def _past_scope(years: Sequence[int], area: Area):
    """(year, institution, category) of every active institution placed in the area's subtree on each year's
    reference day (a subquery)."""
    days = union_all(*(select(literal(year).label("year"), literal(reference_day(year, area), Date).label("day"))
                       for year in years)).subquery("days")
    place = aliased(Area)
    return (
        select(days.c.year, Placement.institution_id.label("institution_id"), Institution.category.label("category"))
        .select_from(days)
        .join(Placement, Placement.on(days.c.day))
        .join(Institution, Institution.id == Placement.institution_id)
        .join(place, place.id == Placement.area_id)
        .where(area.subtree_filter(place.path), Area.valid_on_filter(days.c.day, place), Institution.active.is_(True))
        .subquery("scope")
    )


def _past_partials(scope, years: Sequence[int]) -> Sequence[RowMapping]:
    """Per (year, category) of the scope: institutions, the share numerators, and the growth totals."""
    held = Facts._year_rows(years, "year_facts")
    before = Facts._year_rows([year - 1 for year in years], "before_facts")
    assessed = SelfAssessment
    flags, totals = _flags_and_totals(held.c, held.c, before.c, before.c.attendance, held.c, assessed.institution_id)
    counts = [func.sum(case((flag, 1), else_=0)).label(key) for key, flag in flags.items()]
    sums = []
    for key, (current, earlier) in totals.items():
        sums += [func.sum(current).label(f"{key}_now"), func.sum(earlier).label(f"{key}_before")]
    c = scope.c
    return db.session.execute(
        select(c.year, c.category, func.count().label("institutions"), *counts, *sums)
        .select_from(scope)
        .outerjoin(held, and_(held.c.institution_id == c.institution_id, held.c.year == c.year))
        .outerjoin(before, and_(before.c.institution_id == c.institution_id, before.c.year == c.year - 1))
        .outerjoin(assessed, and_(assessed.institution_id == c.institution_id, assessed.year == c.year,
                                  or_(*(getattr(assessed, item) for item in CHECKLIST))))
        .group_by(c.year, c.category)).mappings().all()


def overall(indicator: Indicator, rows: list[Row]) -> Row:
    """One figure for the whole indicator (the categories, or the museums' programmes, added up), for charts."""
    if len(rows) == 1 and indicator.kind != "programmes":
        return rows[0]
    numerator = sum(row.numerator for row in rows)
    denominator = sum(row.denominator for row in rows)
    if indicator.kind == "programmes":
        value = float(numerator) if rows else None  # the programmes of all the museums
    else:
        value = round_value(numerator, denominator)
    return Row(numerator=numerator, denominator=denominator, value=value, target=None, target_high=None,
               status=status_of(value, None))


# --- the drill-down --------------------------------------------------------------------------------------


def missing_institutions(year: int, area: Area, key: str, category: str | None = None,
                         now: datetime | None = None) -> list[Institution]:
    """The institutions an indicator does not count yet, so an officer knows whom to call.

    Share indicators: those without the indicator's condition. Growth indicators: those that reported no
    figure for Y at all (no tally and no attendance). Museum programmes: museums with no programme held.
    """
    indicator = BY_KEY[key]
    _tune_for_reporting()
    facts = Facts(year, area, now)
    scope = facts.scope.c
    categories = [category] if category in indicator.categories else list(indicator.categories)
    if indicator.kind == "share":
        condition = ~facts.flags[key]
        query = facts.joined(scope.institution_id)
    elif indicator.kind == "growth":
        condition = facts.totals[key][0] == 0
        query = facts.joined(scope.institution_id)
    else:
        programmes = facts.programmes()
        condition = func.coalesce(programmes.c.programmes, 0) == 0
        query = (select(scope.institution_id).select_from(facts.scope)
                 .outerjoin(programmes, programmes.c.institution_id == scope.institution_id))
    ids = query.where(scope.category.in_(categories), condition)
    return list(db.session.scalars(
        select(Institution).join(Area, Area.id == Institution.area_id).where(Institution.id.in_(ids))
        .order_by(Institution.category, Area.path, Institution.name, Institution.slug)))


def default_area(year: int) -> Area | None:
    """The area a report is for when none is named: the single root valid during `year`, or, when that
    root is the country, its single province of that year (a provincial deployment); else None."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    roots = db.session.scalars(select(Area).where(Area.parent_id.is_(None), valid_between(first, last))
                               .limit(2)).all()
    if len(roots) != 1:
        return None
    if roots[0].level == "country":
        provinces = db.session.scalars(select(Area).where(Area.parent_id == roots[0].id,
                                                          valid_between(first, last)).limit(2)).all()
        if len(provinces) == 1:
            return provinces[0]
    return roots[0]

