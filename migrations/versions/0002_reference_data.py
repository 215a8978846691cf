"""reference data: the shipped observances and the plan's indicator targets

Revision ID: 0002
Revises: 0001

The rows are written out here rather than imported from the application (observances/defaults.py,
indicators/targets.py): a revision must insert the same rows in five years as it does today. A change to the
defaults ships as a new revision.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

observances = sa.table(
    'observances',
    sa.column('id', sa.Integer), sa.column('key', sa.String), sa.column('name_vi', sa.String),
    sa.column('name_en', sa.String), sa.column('rule', sa.String), sa.column('month', sa.Integer),
    sa.column('day', sa.Integer), sa.column('duration_days', sa.Integer), sa.column('window_before', sa.Integer),
    sa.column('window_after', sa.Integer), sa.column('provincial', sa.Boolean), sa.column('created_at', sa.DateTime),
)
observance_dates = sa.table('observance_dates', sa.column('observance_id', sa.Integer))
activity_observances = sa.table('activity_observances', sa.column('observance_id', sa.Integer))
targets = sa.table(
    'indicator_targets',
    sa.column('indicator', sa.String), sa.column('category', sa.String), sa.column('milestone', sa.Integer),
    sa.column('low', sa.Float), sa.column('high', sa.Float),
)

OBSERVANCE_COLUMNS = ('key', 'name_vi', 'name_en', 'rule', 'month', 'day', 'duration_days', 'window_before',
                      'window_after')
OBSERVANCES = [
    ('book-reading-day', 'Ngày Sách và Văn hóa đọc Việt Nam', 'Vietnam Book and Reading Culture Day',
     'fixed', 4, 21, 1, 3, 3),
    ('world-book-day', 'Ngày Sách và Bản quyền thế giới', 'World Book and Copyright Day',
     'fixed', 4, 23, 1, 3, 3),
    ('museum-day', 'Ngày Quốc tế Bảo tàng', 'International Museum Day',
     'fixed', 5, 18, 1, 3, 3),
    ('heritage-day', 'Ngày Di sản văn hóa Việt Nam', 'Vietnam Cultural Heritage Day',
     'fixed', 11, 23, 1, 3, 3),
    ('lifelong-learning-week', 'Tuần lễ hưởng ứng học tập suốt đời', 'Lifelong Learning Week',
     'fixed', 10, 1, 7, 0, 0),
    ('digital-transformation-day', 'Ngày Chuyển đổi số quốc gia', 'National Digital Transformation Day',
     'fixed', 10, 10, 1, 3, 3),
    ('hung-kings', 'Giỗ Tổ Hùng Vương', "Hùng Kings' Commemoration",
     'lunar', 3, 10, 1, 3, 3),
]

# plan 2682/KH-UBND, section II.2: (indicator, category, milestone, low, high); None where the plan gives no figure
TARGETS = [
    ('library_lifelong_services', 'library_provincial', 2025, 100, None),
    ('library_lifelong_services', 'library_district', 2025, 70, None),
    ('library_lifelong_services', 'library_commune', 2025, 40, None),
    ('library_lifelong_services', 'library_university', 2025, 100, None),
    ('library_lifelong_services', 'library_armed_forces', 2025, 80, None),
    ('library_lifelong_services', 'library_school', 2025, 70, None),
    ('library_lifelong_services', 'library_provincial', 2030, 100, None),
    ('library_lifelong_services', 'library_district', 2030, 90, None),
    ('library_lifelong_services', 'library_commune', 2030, 60, None),
    ('library_lifelong_services', 'library_university', 2030, 100, None),
    ('library_lifelong_services', 'library_armed_forces', 2030, 100, None),
    ('library_lifelong_services', 'library_school', 2030, 90, None),
    ('library_digital', 'library_provincial', 2025, 100, None),
    ('library_digital', 'library_district', 2025, 60, None),
    ('library_digital', 'library_commune', 2025, 20, None),
    ('library_digital', 'library_university', 2025, 100, None),
    ('library_digital', 'library_armed_forces', 2025, 80, None),
    ('library_digital', 'library_school', 2025, 70, None),
    ('library_digital', 'library_provincial', 2030, 100, None),
    ('library_digital', 'library_district', 2030, 70, None),
    ('library_digital', 'library_commune', 2030, 25, 30),
    ('library_digital', 'library_university', 2030, 100, None),
    ('library_digital', 'library_armed_forces', 2030, 80, None),
    ('library_digital', 'library_school', 2030, None, None),
    ('library_users_growth', '', 2025, 10, None),
    ('library_users_growth', '', 2030, 10, 15),
    ('museum_education_programmes', 'museum', 2025, 1, None),
    ('museum_education_programmes', 'museum', 2030, 3, 5),
    ('museum_study_visitors_growth', '', 2025, 10, None),
    ('museum_study_visitors_growth', '', 2030, 10, 15),
    ('culture_district_activities', '', 2025, 80, None),
    ('culture_district_activities', '', 2030, 100, None),
    ('culture_commune_clubs', '', 2025, 70, None),
    ('culture_commune_clubs', '', 2030, 100, None),
]


def upgrade():
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(observances, [dict(zip(OBSERVANCE_COLUMNS, row, strict=True), provincial=False, created_at=now)
                                 for row in OBSERVANCES])
    op.bulk_insert(targets, [
        {'indicator': i, 'category': c, 'milestone': m, 'low': low, 'high': high} for i, c, m, low, high in TARGETS
    ])


def downgrade():
    # the dates computed for the shipped observances and the activities tagged with them go with them
    shipped = sa.select(observances.c.id).where(observances.c.provincial.is_(False))
    op.execute(activity_observances.delete().where(activity_observances.c.observance_id.in_(shipped)))
    op.execute(observance_dates.delete().where(observance_dates.c.observance_id.in_(shipped)))
    op.execute(targets.delete())
    op.execute(observances.delete().where(observances.c.provincial.is_(False)))
