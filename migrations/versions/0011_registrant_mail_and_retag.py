"""registrants' e-mails (their language, the queue the scheduler sends), and observance tags by the new rule

Revision ID: 0011
Revises: 0010

Chained after 0007, the last revision on the `citizens` branch when it was written; the lead rechains it at
merge. The re-tagging is written out here rather than imported from the application (observances/tagging.py):
an activity is tagged automatically with an observance only when every one of its dates (cancelled ones left
out) falls in one of the observance's tagging windows; a series that only touches a window loses the
automatic tag the old rule gave it. Manual tags, and automatic tags an editor removed, are left as they are.
"""
import os
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

#: the Vietnamese lunar calendar is defined at UTC+7 (as observances/dates.py)
VIETNAM_UTC_OFFSET = 7.0


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), server_default='vi', nullable=False))
    op.create_table('registrant_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('gave_up', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('confirmation', 'reminder', 'changed', 'promoted')",
                       name=op.f('ck_registrant_mails_kind')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                            name=op.f('fk_registrant_mails_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrant_mails'))
    )
    with op.batch_alter_table('registrant_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrant_mails_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrant_mails_registration_id'), ['registration_id'], unique=False)
    retag()


def downgrade():
    # the tags the old rule gave are not brought back: an editor can tick them again
    with op.batch_alter_table('registrant_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrant_mails_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registrant_mails_due_at'))
    op.drop_table('registrant_mails')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('locale')


# --- re-tagging ------------------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    name = current_app.config.get('CALENDAR_TIMEZONE') if has_app_context() else None
    return ZoneInfo(name or os.environ.get('CALENDAR_TIMEZONE', 'Asia/Ho_Chi_Minh'))


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    from lunar_vn import convert_lunar_to_solar

    return convert_lunar_to_solar(day, month, year, 0, VIETNAM_UTC_OFFSET)


class Windows:
    """The tagging windows of each observance, per year, as observances/dates.py computed them."""

    def __init__(self, connection):
        self.observances = {row.id: row for row in connection.execute(sa.text(
            'SELECT id, rule, month, day, duration_days, window_before, window_after FROM observances'))}
        self.overrides = {(row.observance_id, row.year): (row.starts_on, row.ends_on) for row in connection.execute(
            sa.text('SELECT observance_id, year, starts_on, ends_on FROM observance_dates'))}
        self.cache = {}

    def of(self, observance_id: int, year: int):
        key = (observance_id, year)
        if key not in self.cache:
            self.cache[key] = self._window(self.observances[observance_id], year)
        return self.cache[key]

    def _window(self, observance, year: int):
        override = self.overrides.get((observance.id, year))
        if override is not None:
            first, last = (value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
                           for value in override)
        elif observance.rule == 'fixed':
            first = date(year, observance.month, observance.day)
            last = first + timedelta(days=max(observance.duration_days, 1) - 1)
        elif observance.rule == 'lunar':
            first = _lunar_to_solar(year, observance.month, observance.day)
            last = first + timedelta(days=max(observance.duration_days, 1) - 1)
        else:
            return None
        return first - timedelta(days=observance.window_before), last + timedelta(days=observance.window_after)

    def tagged(self, spans) -> set[int]:
        """The observances whose windows every (first, last) span overlaps."""
        years = sorted({day.year + shift for span in spans for day in span for shift in (-1, 0)})
        found = set()
        for observance_id in self.observances:
            windows = [w for w in (self.of(observance_id, year) for year in years) if w]
            if spans and all(any(first <= w_last and w_first <= last for w_first, w_last in windows)
                             for first, last in spans):
                found.add(observance_id)
        return found


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def retag() -> None:
    connection = op.get_bind()
    windows = Windows(connection)
    if not windows.observances:
        return
    zone = _zone()

    def local_day(value) -> date:
        return _moment(value).replace(tzinfo=UTC).astimezone(zone).date()

    links = {}
    for row in connection.execute(sa.text('SELECT activity_id, observance_id, source, removed FROM activity_observances')):
        links.setdefault(row.activity_id, {})[row.observance_id] = (row.source, bool(row.removed))
    dates = connection.execute(sa.text(
        "SELECT occurrences.activity_id, occurrences.starts_at, occurrences.ends_at, activities.all_day "
        "FROM occurrences JOIN activities ON activities.id = occurrences.activity_id "
        "WHERE occurrences.status != 'cancelled' ORDER BY occurrences.activity_id"))
    dropped, added, seen = [], [], set()
    for activity_id, rows in groupby(dates, key=lambda row: row.activity_id):
        seen.add(activity_id)
        spans = [(local_day(row.starts_at),
                  local_day(_moment(row.ends_at) - timedelta(days=1) if row.all_day else row.ends_at))
                 for row in rows]
        wanted = windows.tagged(spans)
        current = links.get(activity_id, {})
        dropped += [(activity_id, oid) for oid, (source, removed) in current.items()
                    if source == 'auto' and not removed and oid not in wanted]
        added += [(activity_id, oid) for oid in sorted(wanted - current.keys())]
    # an activity without a date left calls for no tag
    dropped += [(activity_id, oid) for activity_id, current in links.items() if activity_id not in seen
                for oid, (source, removed) in current.items() if source == 'auto' and not removed]
    if dropped:
        connection.execute(sa.text('DELETE FROM activity_observances WHERE activity_id = :activity '
                                   'AND observance_id = :observance'),
                           [{'activity': a, 'observance': o} for a, o in dropped])
    if added:
        connection.execute(sa.text("INSERT INTO activity_observances (activity_id, observance_id, source, removed) "
                                   "VALUES (:activity, :observance, 'auto', :removed)"),
                           [{'activity': a, 'observance': o, 'removed': False} for a, o in added])
