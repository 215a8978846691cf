"""plans as data: targets belong to the plan of an area (the country's Decision, a province's own plan)

Revision ID: 0006
Revises: 0005

The targets already held become those of Phú Thọ's plan 2682/KH-UBND (province 25), which is also the
default plan for areas with no plan at or above them; the country's Decision 1520/QĐ-TTg is added with the
figures it sets for what the indicators measure.
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

DECISION_TITLE = ("Quyết định phê duyệt Chương trình “Đẩy mạnh các hoạt động phục vụ học tập suốt đời trong thư viện, "
                  "bảo tàng, trung tâm văn hóa đến năm 2030”")
PROVINCE_TITLE = ("Kế hoạch triển khai Chương trình “Đẩy mạnh các hoạt động phục vụ học tập suốt đời trong thư viện, "
                  "bảo tàng, trung tâm văn hóa đến năm 2030” trên địa bàn tỉnh Phú Thọ")
CATEGORIES = ("library_provincial", "library_district", "library_commune", "library_university",
              "library_specialized", "library_armed_forces", "library_school")
DECISION_FIGURES = {2025: (100, 70, 40, 90, 90, 80, 70), 2030: (100, 90, 60, 100, 100, 100, 90)}


def upgrade():
    plans = op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=16), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('area_code', 'area_level', name=op.f('uq_plans_area_code_area_level'))
    )
    op.bulk_insert(plans, [
        {"id": 1, "area_code": "25", "area_level": "province", "number": "2682/KH-UBND", "title": PROVINCE_TITLE,
         "issued_on": date(2023, 7, 18), "is_default": True},
        {"id": 2, "area_code": "VN", "area_level": "country", "number": "1520/QĐ-TTg", "title": DECISION_TITLE,
         "issued_on": date(2022, 12, 9), "is_default": False},
    ])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('plans', 'id'), 2)")
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
    op.execute("UPDATE indicator_targets SET plan_id = 1")
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.alter_column('plan_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(op.f('uq_indicator_targets_indicator_category_milestone'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_targets_plan_id_indicator_category_milestone'),
                                          ['plan_id', 'indicator', 'category', 'milestone'])
        batch_op.create_index(batch_op.f('ix_indicator_targets_plan_id'), ['plan_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_indicator_targets_plan_id_plans'), 'plans', ['plan_id'], ['id'],
                                    ondelete='CASCADE')
    targets = sa.table('indicator_targets', sa.column('plan_id'), sa.column('indicator'), sa.column('category'),
                       sa.column('milestone'), sa.column('low'), sa.column('high'))
    op.bulk_insert(targets, [
        {"plan_id": 2, "indicator": "library_lifelong_services", "category": category, "milestone": milestone,
         "low": figure, "high": None}
        for milestone, figures in DECISION_FIGURES.items() for category, figure in zip(CATEGORIES, figures)])


def downgrade():
    op.execute("DELETE FROM indicator_targets WHERE plan_id <> (SELECT MIN(id) FROM plans WHERE is_default)")
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_targets_plan_id_plans'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_targets_plan_id'))
        batch_op.drop_constraint(batch_op.f('uq_indicator_targets_plan_id_indicator_category_milestone'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_targets_indicator_category_milestone'),
                                          ['indicator', 'category', 'milestone'])
        batch_op.drop_column('plan_id')
    op.drop_table('plans')
