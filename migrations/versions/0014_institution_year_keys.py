"""the start of each month key's first meeting; the keys of each year with their first meeting, read by the
report of any year instead of the month keys and the current month's meetings; the month index covering

Revision ID: 0014
Revises: 0013

Chained after 0013 when it was written; the lead rechains it at merge. The fill is SQL written here, as
indicators/facts.py computes the rows when this revision was written: the month keys are recomputed from
the live tables (held meetings: not cancelled, activity published), each with the start of its first meeting
that month; a year's keys are its month keys with the earliest of those starts.
"""
import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: yyyymm (an integer) of a naive-UTC timestamp shifted by a number of minutes to the calendar's local time
LOCAL_MONTH = {
    'postgresql': "CAST(to_char({column} + make_interval(mins => {minutes}), 'YYYYMM') AS INTEGER)",
    'sqlite': "CAST(strftime('%Y%m', {column}, '{minutes} minutes') AS INTEGER)",
}

# the audiences and categories a district culture centre held, the programmes of a museum, one row a meeting
HELD_KEYS = """
SELECT activities.institution_id AS institution_id, {month} AS month, '{kind}' AS kind, {key} AS key,
       occurrences.starts_at AS starts_at
FROM occurrences
JOIN activities ON activities.id = occurrences.activity_id
JOIN institutions ON institutions.id = activities.institution_id
{link}
WHERE occurrences.status != 'cancelled' AND activities.status = 'published'
  AND institutions.category IN ({categories}) AND {key} IS NOT NULL
"""
VARIETY_CATEGORIES = "'culture_centre_district'"
MUSEUM_CATEGORIES = "'museum', 'museum_memorial'"

FILL_YEAR_KEYS = """
INSERT INTO institution_year_keys (institution_id, year, kind, key, first_start)
SELECT institution_id, month / 100, kind, key, MIN(first_start)
FROM institution_month_keys
GROUP BY institution_id, month / 100, kind, key
ORDER BY institution_id, month / 100
"""


def offset_minutes() -> int:
    """The calendar zone's offset from UTC today: the app's CALENDAR_TIMEZONE (Vietnam keeps UTC+7 all year)."""
    name = current_app.config.get('CALENDAR_TIMEZONE') if has_app_context() else None
    zone = ZoneInfo(name or os.environ.get('CALENDAR_TIMEZONE', 'Asia/Ho_Chi_Minh'))
    return int(zone.utcoffset(datetime.now(UTC).replace(tzinfo=None)).total_seconds() // 60)


def fill_month_keys() -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in LOCAL_MONTH:
        raise NotImplementedError(f'0014 fills the keys on {", ".join(LOCAL_MONTH)}, not on {dialect}')
    month = LOCAL_MONTH[dialect].format(column='occurrences.starts_at', minutes=offset_minutes())
    keys = [
        HELD_KEYS.format(month=month, kind='audience', key='activity_audiences.key', categories=VARIETY_CATEGORIES,
                         link='JOIN activity_audiences ON activity_audiences.activity_id = activities.id'),
        HELD_KEYS.format(month=month, kind='category', key='activity_categories.key', categories=VARIETY_CATEGORIES,
                         link='JOIN activity_categories ON activity_categories.activity_id = activities.id'),
        HELD_KEYS.format(month=month, kind='programme', key='activities.programme', categories=MUSEUM_CATEGORIES,
                         link=''),
    ]
    op.execute(sa.text('INSERT INTO institution_month_keys (institution_id, month, kind, key, first_start)\n'
                       'SELECT institution_id, month, kind, key, MIN(starts_at) FROM (\n'
                       + '\nUNION ALL\n'.join(keys)
                       + '\n) AS held GROUP BY institution_id, month, kind, key ORDER BY institution_id, month'))


def month_keys_table(first_start: bool) -> None:
    op.create_table('institution_month_keys',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    *([sa.Column('first_start', sa.DateTime(), nullable=False)] if first_start else []),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_month_keys_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'month', 'kind', 'key', name=op.f('pk_institution_month_keys'))
    )


def upgrade():
    # recomputed whole (a new column NOT NULL, filled from the meetings, on SQLite too)
    op.drop_table('institution_month_keys')
    month_keys_table(first_start=True)
    fill_month_keys()
    op.create_table('institution_year_keys',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('first_start', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_year_keys_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'year', 'kind', 'key', name=op.f('pk_institution_year_keys'))
    )
    op.create_index('ix_institution_year_keys_kind_year', 'institution_year_keys',
                    ['kind', 'year', 'institution_id', 'key'], unique=False, postgresql_include=['first_start'])
    op.execute(sa.text(FILL_YEAR_KEYS))
    # the current year's report reads the months ahead of it: from the index alone on PostgreSQL
    op.drop_index('ix_institution_months_month', table_name='institution_months')
    op.create_index('ix_institution_months_month', 'institution_months', ['month'], unique=False,
                    postgresql_include=['institution_id', 'attended', 'online', 'club', 'attendance'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.text('ANALYZE institution_month_keys'))
        op.execute(sa.text('ANALYZE institution_year_keys'))


def downgrade():
    op.drop_index('ix_institution_months_month', table_name='institution_months')
    op.create_index('ix_institution_months_month', 'institution_months', ['month'], unique=False)
    op.drop_index('ix_institution_year_keys_kind_year', table_name='institution_year_keys')
    op.drop_table('institution_year_keys')
    with op.batch_alter_table('institution_month_keys') as batch:
        batch.drop_column('first_start')
