"""yearly facts per institution (the months and tallies added up), read by the report of a past year; the
monthly facts indexed by month

Revision ID: 0013
Revises: 0012

Chained after 0011 when it was written; the lead rechains it at merge. The fill is SQL written here, as
indicators/facts.py computes the rows when this revision was written: per institution and calendar year,
the monthly facts added up, the distinct audiences and activity categories of the year's month keys counted,
and the year's monthly tallies of library visits, museum study visitors and club members added up.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

FILL_YEARS = """
INSERT INTO institution_years (institution_id, year, attended, online, club, attendance, library_visits,
                               study_visitors, club_members, audiences, categories)
SELECT institution_id, year, SUM(attended), SUM(online), SUM(club), SUM(attendance), SUM(library_visits),
       SUM(study_visitors), SUM(club_members), SUM(audiences), SUM(categories)
FROM (
    SELECT institution_id, month / 100 AS year, attended, online, club, attendance, 0 AS library_visits,
           0 AS study_visitors, 0 AS club_members, 0 AS audiences, 0 AS categories
    FROM institution_months
    UNION ALL
    SELECT institution_id, year, 0, 0, 0, 0,
           CASE WHEN metric = 'library_visits' THEN value ELSE 0 END,
           CASE WHEN metric = 'museum_study_visitors' THEN value ELSE 0 END,
           CASE WHEN metric = 'club_members' THEN value ELSE 0 END, 0, 0
    FROM monthly_tallies WHERE metric IN ('library_visits', 'museum_study_visitors', 'club_members')
    UNION ALL
    SELECT institution_id, month / 100, 0, 0, 0, 0, 0, 0, 0,
           COUNT(DISTINCT CASE WHEN kind = 'audience' THEN key END),
           COUNT(DISTINCT CASE WHEN kind = 'category' THEN key END)
    FROM institution_month_keys WHERE kind IN ('audience', 'category')
    GROUP BY institution_id, month / 100
) AS parts
GROUP BY institution_id, year
ORDER BY institution_id, year
"""


def upgrade():
    op.create_table('institution_years',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('online', sa.Integer(), nullable=False),
    sa.Column('club', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.BigInteger(), nullable=False),
    sa.Column('library_visits', sa.BigInteger(), nullable=False),
    sa.Column('study_visitors', sa.BigInteger(), nullable=False),
    sa.Column('club_members', sa.BigInteger(), nullable=False),
    sa.Column('audiences', sa.Integer(), nullable=False),
    sa.Column('categories', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_institution_years_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'year', name=op.f('pk_institution_years'))
    )
    op.create_index('ix_institution_years_year', 'institution_years', ['year', 'institution_id'], unique=False,
                    postgresql_include=['attended', 'online', 'club', 'attendance', 'library_visits',
                                        'study_visitors', 'club_members', 'audiences', 'categories'])
    op.create_index('ix_institution_months_month', 'institution_months', ['month'], unique=False)
    op.execute(sa.text(FILL_YEARS))
    if op.get_bind().dialect.name == 'postgresql':
        # the planner's statistics of the rows just written (VACUUM, which would also let the index answer
        # alone at once, cannot run in the migration's transaction: autovacuum does it)
        op.execute(sa.text('ANALYZE institution_years'))


def downgrade():
    op.drop_index('ix_institution_months_month', table_name='institution_months')
    op.drop_index('ix_institution_years_year', table_name='institution_years')
    op.drop_table('institution_years')
