"""monthly facts per institution, read by the indicators instead of the occurrences; tallies by year

Revision ID: 0003
Revises: 0002

The fill is SQL written here, as indicators/facts.py computed the facts when this revision was written, so
that replaying the revision later gives the same rows whatever that module has become since.
"""
import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: yyyymm (an integer) of a naive-UTC timestamp shifted by a number of minutes to the calendar's local time
LOCAL_MONTH = {
    'postgresql': "CAST(to_char({column} + make_interval(mins => {minutes}), 'YYYYMM') AS INTEGER)",
    'sqlite': "CAST(strftime('%Y%m', {column}, '{minutes} minutes') AS INTEGER)",
}

# an occurrence is held when it is not cancelled and its activity is published; clubs and courses are
# activities with either category
FILL_MONTHS = """
INSERT INTO institution_months (institution_id, month, held, attended, online, club, attendance)
SELECT institution_id, month, COUNT(*), SUM(attended), SUM(online), SUM(club), SUM(attendance)
FROM (
    SELECT activities.institution_id AS institution_id, {month} AS month,
           CASE WHEN attendances.total > 0 THEN 1 ELSE 0 END AS attended,
           CASE WHEN attendances.online > 0 THEN 1 ELSE 0 END AS online,
           CASE WHEN EXISTS (SELECT 1 FROM activity_categories
                             WHERE activity_categories.activity_id = activities.id
                               AND activity_categories.key IN ('club', 'course')) THEN 1 ELSE 0 END AS club,
           COALESCE(attendances.total, 0) AS attendance
    FROM occurrences
    JOIN activities ON activities.id = occurrences.activity_id
    LEFT OUTER JOIN attendances ON attendances.occurrence_id = occurrences.id
    WHERE occurrences.status != 'cancelled' AND activities.status = 'published'
) AS held
GROUP BY institution_id, month
ORDER BY institution_id, month
"""

# the distinct audiences and categories a district culture centre held each month, the programmes of a museum
HELD_KEYS = """
SELECT activities.institution_id AS institution_id, {month} AS month, '{kind}' AS kind, {key} AS key
FROM occurrences
JOIN activities ON activities.id = occurrences.activity_id
JOIN institutions ON institutions.id = activities.institution_id
{link}
WHERE occurrences.status != 'cancelled' AND activities.status = 'published'
  AND institutions.category IN ({categories}) AND {key} IS NOT NULL
"""
VARIETY_CATEGORIES = "'culture_centre_district'"
MUSEUM_CATEGORIES = "'museum', 'museum_memorial'"


def offset_minutes() -> int:
    """The calendar zone's offset from UTC today: the app's CALENDAR_TIMEZONE (Vietnam keeps UTC+7 all year)."""
    name = current_app.config.get('CALENDAR_TIMEZONE') if has_app_context() else None
    zone = ZoneInfo(name or os.environ.get('CALENDAR_TIMEZONE', 'Asia/Ho_Chi_Minh'))
    return int(zone.utcoffset(datetime.now(UTC).replace(tzinfo=None)).total_seconds() // 60)


def fill_facts() -> None:
    """The facts of what an existing database already holds."""
    dialect = op.get_bind().dialect.name
    if dialect not in LOCAL_MONTH:
        raise NotImplementedError(f'0003 fills the monthly facts on {", ".join(LOCAL_MONTH)}, not on {dialect}')
    month = LOCAL_MONTH[dialect].format(column='occurrences.starts_at', minutes=offset_minutes())
    op.execute(sa.text(FILL_MONTHS.format(month=month)))
    keys = [
        HELD_KEYS.format(month=month, kind='audience', key='activity_audiences.key', categories=VARIETY_CATEGORIES,
                         link='JOIN activity_audiences ON activity_audiences.activity_id = activities.id'),
        HELD_KEYS.format(month=month, kind='category', key='activity_categories.key', categories=VARIETY_CATEGORIES,
                         link='JOIN activity_categories ON activity_categories.activity_id = activities.id'),
        HELD_KEYS.format(month=month, kind='programme', key='activities.programme', categories=MUSEUM_CATEGORIES,
                         link=''),
    ]
    op.execute(sa.text('INSERT INTO institution_month_keys (institution_id, month, kind, key)\n'
                       + '\nUNION\n'.join(keys) + '\nORDER BY institution_id, month'))


def upgrade():
    op.create_table('institution_months',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('club', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_months_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'month', name=op.f('pk_institution_months'))
    )
    op.create_table('institution_month_keys',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_month_keys_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'month', 'kind', 'key', name=op.f('pk_institution_month_keys'))
    )
    op.create_index('ix_monthly_tallies_year_metric', 'monthly_tallies', ['year', 'metric', 'institution_id'],
                    unique=False, postgresql_include=['value'])
    fill_facts()


def downgrade():
    op.drop_index('ix_monthly_tallies_year_metric', table_name='monthly_tallies')
    op.drop_table('institution_month_keys')
    op.drop_table('institution_months')
