"""Monthly facts per institution: what the indicators need from occurrences, activities and attendance,
kept up to date on every write so that a report never joins those tables at province scale.

- ``institution_months``: per institution and local calendar month, the occurrences held, those with
  attendance above zero, with online attendance, of clubs and courses, and the attendance total;
- ``institution_month_keys``: the distinct audiences and activity categories a district culture centre
  held that month, and the programme keys a museum held, each with the start of its first meeting that month;
- ``institution_years``: per institution and calendar year, the months added up, the distinct keys of the
  year counted, and the year's monthly tallies of the metrics the indicators read (a report of a past year
  reads these: one row per institution and year);
- ``institution_year_keys``: the month keys of a year, each with the start of its first meeting that year,
  so a report of any year counts the keys held up to its moment (first meeting <= now) from a few rows per
  institution rather than from the months and the live tables.

Here an occurrence is *held* when it is not cancelled and its activity is published, whatever the clock
says: rollup.Facts reads the years before the current one from the year rows, the months before the current
one from the month rows, and the current month from the live tables, where "has started" (starts_at <= now)
still applies.

tracking.py calls `refresh_months` for the months of the institutions a transaction touched (the
`figures_changed` signal, monthly tallies included) just before it commits: those months, and the years
they lie in, are recomputed. `flask rebuild-facts` (`rebuild`) recomputes every row after writes made
outside the app, such as a bulk load with COPY.

Each write also renews the generation (``figure_generations``) of every year whose year rows changed, of the
years whose self-assessments were written, and of the places (PLACES) when institutions, their placements or
areas were: rollup.past_years keeps a year that is over for as long as its generations stay the same.
"""
import secrets
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date, datetime

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from ..bulk import among, chunked
from ..clock import local_midnight_utc, local_zone, utcnow
from ..events.models import Activity, ActivityAudience, ActivityCategory, Occurrence
from ..participation.models import Attendance, MonthlyTally
from ..places.models import Institution
from ..vocabulary import MUSEUM_CATEGORIES
from .models import FigureGeneration, InstitutionMonth, InstitutionMonthKey, InstitutionYear, InstitutionYearKey

CLUB_CATEGORIES = ("club", "course")
#: the institutions whose month keys are kept: the indicators count distinct keys only for these
VARIETY_CATEGORIES = ("culture_centre_district",)
MONTH_COLUMNS = ("institution_id", "month", "held", "attended", "online", "club", "attendance")
KEY_COLUMNS = ("institution_id", "month", "kind", "key", "first_start")
YEAR_KEY_COLUMNS = ("institution_id", "year", "kind", "key", "first_start")
YEAR_COLUMNS = ("institution_id", "year", "attended", "online", "club", "attendance", "library_visits",
                "study_visitors", "club_members", "audiences", "categories")
#: the tallies a year row adds up, by its column
YEAR_TALLIES = {"library_visits": "library_visits", "study_visitors": "museum_study_visitors",
                "club_members": "club_members"}
#: institutions per statement when refreshing every month of many (keeps IN lists well inside every
#: database's limit)
CHUNK = 500
#: institutions per statement when refreshing a month of many (written into the statement as numbers)
MANY = 10_000
#: the generation row of the places (institutions, their placements, areas), which every year's figures read
PLACES = 0


class local_month(FunctionElement):
    """yyyymm (an integer) of a naive-UTC timestamp shifted by a number of minutes to local time."""

    type = Integer()
    inherit_cache = True
    name = "local_month"


@compiles(local_month)
def _local_month_postgresql(element, compiler, **kw):
    value, minutes = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(to_char({value} + make_interval(mins => {minutes}), 'YYYYMM') AS INTEGER)"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    value, minutes = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(strftime('%Y%m', {value}, CAST({minutes} AS TEXT) || ' minutes') AS INTEGER)"


def offset_minutes() -> int:
    """The calendar zone's offset from UTC. Vietnam keeps UTC+7 all year; a zone with daylight saving
    time would have occurrences within an hour of a month's edge counted in the neighbouring month."""
    return int(local_zone().utcoffset(utcnow()).total_seconds() // 60)


def month_of(column):
    # literal_execute renders the offset inline, so the expression is the same text in SELECT and GROUP BY
    return local_month(column, bindparam("offset_minutes", offset_minutes(), type_=Integer, literal_execute=True))


def month_key(day: date | datetime) -> int:
    return day.year * 100 + day.month


def first_day(month: int) -> date:
    """The first day of a yyyymm month."""
    return date(month // 100, month % 100, 1)


def first_day_after(month: int) -> date:
    """The first day of the month after a yyyymm month."""
    year, number = divmod(month, 100)
    return date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)


def _held(*conditions):
    return and_(Occurrence.status != "cancelled", Activity.status == "published", *conditions)


def month_rows(*conditions):
    """SELECT of MONTH_COLUMNS over the held occurrences matching `conditions`."""
    # a count, not EXISTS: PostgreSQL would hash every club of the province for EXISTS, even to refresh one
    # institution's month; a count is looked up per activity in the primary key
    is_club = select(func.count()).where(ActivityCategory.activity_id == Activity.id,
                                         ActivityCategory.key.in_(CLUB_CATEGORIES)).scalar_subquery() > 0
    per_occurrence = (
        select(Activity.institution_id.label("institution_id"), month_of(Occurrence.starts_at).label("month"),
               case((Attendance.total > 0, 1), else_=0).label("attended"),
               case((Attendance.online > 0, 1), else_=0).label("online"),
               case((is_club, 1), else_=0).label("club"),
               func.coalesce(Attendance.total, 0).label("attendance"))
        .select_from(Occurrence)
        .join(Activity, Activity.id == Occurrence.activity_id)
        .outerjoin(Attendance, Attendance.occurrence_id == Occurrence.id)
        .where(_held(*conditions))
        .subquery("held")
    )
    return (select(per_occurrence.c.institution_id, per_occurrence.c.month, func.count().label("held"),
                   func.sum(per_occurrence.c.attended).label("attended"),
                   func.sum(per_occurrence.c.online).label("online"),
                   func.sum(per_occurrence.c.club).label("club"),
                   func.sum(per_occurrence.c.attendance).label("attendance"))
            .group_by(per_occurrence.c.institution_id, per_occurrence.c.month))


def month_keys(*conditions):
    """SELECT of KEY_COLUMNS over the held occurrences matching `conditions`: each key once per institution
    and month, with the start of its first meeting."""
    def held_keys(kind: str, key, link=None, categories=VARIETY_CATEGORIES):
        query = (select(Activity.institution_id.label("institution_id"), month_of(Occurrence.starts_at).label("month"),
                        literal(kind).label("kind"), key.label("key"), Occurrence.starts_at.label("starts_at"))
                 .select_from(Occurrence)
                 .join(Activity, Activity.id == Occurrence.activity_id)
                 .join(Institution, Institution.id == Activity.institution_id))
        if link is not None:
            query = query.join(link, link.activity_id == Activity.id)
        return query.where(_held(Institution.category.in_(categories), key.is_not(None), *conditions))

    held = union_all(held_keys("audience", ActivityAudience.key, ActivityAudience),
                     held_keys("category", ActivityCategory.key, ActivityCategory),
                     held_keys("programme", Activity.programme, categories=MUSEUM_CATEGORIES)).subquery("held_keys")
    grouped = (held.c.institution_id, held.c.month, held.c.kind, held.c.key)
    return select(*grouped, func.min(held.c.starts_at).label("first_start")).group_by(*grouped)


def year_of(month):
    """The year of a yyyymm column (100 written inline: the same text in SELECT and GROUP BY)."""
    return month // literal_column("100", Integer)


def year_rows(institution_ids: list[int] | None = None, year: int | None = None):
    """SELECT of YEAR_COLUMNS from the monthly facts and tallies (of some institutions, of one year)."""
    months, keys, tallies = InstitutionMonth, InstitutionMonthKey, MonthlyTally

    def only(institution_column, year_column):
        return [condition for condition in (
            among(institution_column, institution_ids) if institution_ids is not None else None,
            year_column == year if year is not None else None) if condition is not None]

    def named(*values):
        """The values labelled as YEAR_COLUMNS (a literal 0 for every column a part does not give)."""
        return [(literal(0) if value is None else value).label(name) for value, name in zip(values, YEAR_COLUMNS,
                                                                                              strict=True)]

    nothing = (None,) * len(YEAR_TALLIES)
    held = (select(*named(months.institution_id, year_of(months.month), months.attended, months.online, months.club,
                          months.attendance, *nothing, None, None))
            .where(*only(months.institution_id, year_of(months.month))))
    reported = (select(*named(tallies.institution_id, tallies.year, None, None, None, None,
                              *(case((tallies.metric == metric, tallies.value), else_=0)
                                for metric in YEAR_TALLIES.values()), None, None))
                .where(tallies.metric.in_(YEAR_TALLIES.values()), *only(tallies.institution_id, tallies.year)))
    varied = (select(*named(keys.institution_id, year_of(keys.month), None, None, None, None, *nothing,
                            func.count(case((keys.kind == "audience", keys.key)).distinct()),
                            func.count(case((keys.kind == "category", keys.key)).distinct())))
              .where(keys.kind.in_(("audience", "category")), *only(keys.institution_id, year_of(keys.month)))
              .group_by(keys.institution_id, year_of(keys.month)))
    parts = union_all(held, reported, varied).subquery("parts")
    columns = list(parts.c)
    return (select(columns[0], columns[1], *(func.sum(column) for column in columns[2:]))
            .group_by(columns[0], columns[1]))


def year_keys(institution_ids: list[int] | None = None, year: int | None = None):
    """SELECT of YEAR_KEY_COLUMNS from the month keys (of some institutions, of one year)."""
    keys = InstitutionMonthKey
    conditions = [condition for condition in (
        among(keys.institution_id, institution_ids) if institution_ids is not None else None,
        year_of(keys.month) == year if year is not None else None) if condition is not None]
    grouped = (keys.institution_id, year_of(keys.month), keys.kind, keys.key)
    return select(*grouped, func.min(keys.first_start)).where(*conditions).group_by(*grouped)


def _refresh_years(connection, institution_ids: list[int], year: int | None = None) -> set[int]:
    """Recompute the year rows and year keys of these institutions (of one year, or all) from months, keys
    and tallies; returns the years whose year rows may have changed (`year`, or those that did)."""
    years_table = InstitutionYear.__table__

    def read():
        return set(connection.execute(select(years_table).where(among(years_table.c.institution_id, institution_ids))))

    # every year of an institution is recomputed after any edit of one of its activities: only the years whose
    # rows come out different stop matching what rollup.past_years keeps
    before = read() if year is None else set()
    for table, columns, rows in ((years_table, YEAR_COLUMNS, year_rows),
                                 (InstitutionYearKey.__table__, YEAR_KEY_COLUMNS, year_keys)):
        connection.execute(delete(table).where(among(table.c.institution_id, institution_ids),
                                               *([table.c.year == year] if year is not None else [])))
        connection.execute(insert(table).from_select(columns, rows(institution_ids, year)))
    return {year} if year is not None else {row.year for row in before ^ read()}


def new_generations(connection, years: Iterable[int]) -> None:
    """What rollup.past_years keeps of these years (PLACES: of every year) stops being current once the
    caller's transaction commits. One statement, years in ascending order: two writers lock the rows in the
    same order (and PLACES, sent later in a transaction, last)."""
    wanted = sorted(set(years))
    if not wanted:
        return
    # a session (scoped or not) or a connection
    dialect = (connection.get_bind() if hasattr(connection, "get_bind") else connection).dialect.name
    table = FigureGeneration.__table__
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        [{"year": year, "generation": secrets.randbits(62)} for year in wanted])
    connection.execute(statement.on_conflict_do_update(index_elements=[table.c.year],
                                                       set_={"generation": statement.excluded.generation}))


def chunks(ids: Iterable[int | None], size: int = CHUNK) -> Iterator[list[int]]:
    """The ids, sorted and without None, in lists of at most `size`."""
    return chunked(ids, size)


def _lock(connection, institution_ids: list[int]) -> None:
    # two transactions refreshing one institution take turns, so neither inserts rows the other just did
    connection.execute(select(Institution.id).where(among(Institution.id, institution_ids)).order_by(Institution.id)
                       .with_for_update())


def refresh(connection, institution_ids: Iterable[int]) -> None:
    """Recompute every month of these institutions from the live tables (inside the caller's transaction)."""
    new_generations(connection, _refresh(connection, institution_ids))


def _refresh(connection, institution_ids: Iterable[int]) -> set[int]:
    """`refresh` without renewing the generations; returns the years whose year rows changed."""
    months, keys = InstitutionMonth.__table__, InstitutionMonthKey.__table__
    changed: set[int] = set()
    for chunk in chunks(institution_ids):
        _lock(connection, chunk)
        connection.execute(delete(months).where(months.c.institution_id.in_(chunk)))
        connection.execute(delete(keys).where(keys.c.institution_id.in_(chunk)))
        connection.execute(insert(months).from_select(MONTH_COLUMNS,
                                                      month_rows(Activity.institution_id.in_(chunk))))
        connection.execute(insert(keys).from_select(KEY_COLUMNS, month_keys(Activity.institution_id.in_(chunk))))
        changed |= _refresh_years(connection, chunk)
    return changed


def refresh_months(connection, touched: Mapping[int, Collection[int] | None], years: Iterable[int] = ()) -> None:
    """Recompute the facts of {institution id: the months touched, or None for all of them}: an institution's
    other months are left as they are, so a write costs the same however long its history. The generations
    of the years that changed are renewed, and those of `years` (whose self-assessments were written).

    One month at a time, for thousands of institutions per statement (an import): the database then reads
    the month's occurrences once rather than every activity of the institutions, and for a few institutions
    (one write) their activities' occurrences of that month (ix_occurrences_activity_starts)."""
    for chunk in chunks(touched, MANY):  # every lock first, in one order, so that two writers cannot deadlock
        _lock(connection, chunk)
    changed = _refresh(connection, [institution_id for institution_id, months in touched.items() if months is None])
    by_month: dict[int, set[int]] = {}
    for institution_id, months_touched in touched.items():
        for month in months_touched or ():
            by_month.setdefault(month, set()).add(institution_id)
    months, keys = InstitutionMonth.__table__, InstitutionMonthKey.__table__
    for month, institution_ids in sorted(by_month.items()):
        start, end = local_midnight_utc(first_day(month)), local_midnight_utc(first_day_after(month))
        for chunk in chunks(institution_ids, MANY):
            in_month = (among(Activity.institution_id, chunk), Occurrence.starts_at >= start,
                        Occurrence.starts_at < end)
            connection.execute(delete(months).where(among(months.c.institution_id, chunk), months.c.month == month))
            connection.execute(delete(keys).where(among(keys.c.institution_id, chunk), keys.c.month == month))
            connection.execute(insert(months).from_select(MONTH_COLUMNS, month_rows(*in_month)))
            connection.execute(insert(keys).from_select(KEY_COLUMNS, month_keys(*in_month)))
    by_year: dict[int, set[int]] = {}
    for month, institution_ids in by_month.items():
        by_year.setdefault(month // 100, set()).update(institution_ids)
    for year, institution_ids in sorted(by_year.items()):
        for chunk in chunks(institution_ids, MANY):
            changed |= _refresh_years(connection, chunk, year)
    new_generations(connection, changed | set(years))


def rebuild(connection) -> tuple[int, int]:
    """Recompute every row; returns the number of (month rows, key rows)."""
    months, keys = InstitutionMonth.__table__, InstitutionMonthKey.__table__
    years, year_keys_table = InstitutionYear.__table__, InstitutionYearKey.__table__
    for table in (months, keys, years, year_keys_table):
        connection.execute(delete(table))
    # in institution order, as `refresh` writes them: an institution's rows stay together on disk
    for table, columns, rows in ((months, MONTH_COLUMNS, month_rows()), (keys, KEY_COLUMNS, month_keys()),
                                 (years, YEAR_COLUMNS, year_rows()), (year_keys_table, YEAR_KEY_COLUMNS, year_keys())):
        connection.execute(insert(table).from_select(columns, rows.order_by(*rows.selected_columns[:2])))
    new_generations(connection, [PLACES])  # nothing kept of any year is current any more
    return (connection.execute(select(func.count()).select_from(months)).scalar_one(),
            connection.execute(select(func.count()).select_from(keys)).scalar_one())
