"""The named signals through which one feature reacts to what another did (as Indico's `core/signals`).

The module that changes something sends a signal, or lets changes.py send it, without knowing who listens;
a receiver lives in the module that cares and is connected by the app factory (`register_listeners`), so
every reaction can be found from there. Receivers run synchronously, in the sender's transaction or right
after it, and are process-wide: connecting one twice keeps one.

changes.py sends the signals about written rows for every ORM write, whoever makes it (pages, the API,
imports, the demo loader, tests): `figures_changed` and `calendar_written` just before the transaction
commits, inside it, so that what is derived from the figures or the calendar commits with them; the others
once the transaction has committed, when nothing may be written any more (a receiver there drops caches, it
does not query).
"""
from blinker import Namespace

_signals = Namespace()

activity_changed = _signals.signal("activity-changed", doc="""Activities were written and committed.

Sender: the SQLAlchemy session. `activity_ids`: the activities added, changed or deleted, including those
whose categories, audiences or observance tags were (set of int).
""")

occurrence_changed = _signals.signal("occurrence-changed", doc="""Occurrences were written and committed.

Sender: the SQLAlchemy session. `occurrence_ids`: the occurrences added, moved, cancelled or deleted;
`activity_ids`: their activities (sets of int).
""")

place_changed = _signals.signal("place-changed", doc="""Institutions or areas were written and committed.

Sender: the SQLAlchemy session. `institution_ids`, `area_ids`: those added, changed or deleted (a name, an
address, a placement, the area tree) (sets of int).
""")

observance_changed = _signals.signal("observance-changed", doc="""Observances or their dates were written and committed.

Sender: the SQLAlchemy session. `observance_ids`: the observances concerned (set of int).
""")

calendar_written = _signals.signal("calendar-written", doc="""What the public calendar shows may have changed.

Sent just before the transaction commits, inside it, when it wrote activities (or their categories, audiences,
observance tags), occurrences, institutions, areas, observances or their dates.
Sender: the SQLAlchemy session (a receiver writes through it, with SQL rather than ORM objects).
`activity_ids`: the activities written, directly or through their occurrences and tags; `institution_ids`,
`area_ids`, `observance_ids`: those written (sets of int).
""")

figures_changed = _signals.signal("figures-changed", doc="""What some institutions held may count differently.

Sent just before the transaction commits, inside it, when it wrote an institution (its category), an
activity (its status, kind, audience, programme), an occurrence, the attendance of one, a monthly tally
(the yearly facts add them up), or a self-assessment (a figure entered as such: only its year is told).

Sender: the SQLAlchemy session (a receiver writes through it, with SQL rather than ORM objects).
`institution_ids`: the institutions concerned (set of int); `months`: for each of them, the local months
(yyyymm) the change touched, or None when it may touch any month (dict of int to set of int or None);
`years`: the years of the self-assessments written (set of int).
""")

capacity_grew = _signals.signal("capacity-grew", doc="""An activity now has more places than before (or no limit).

Sent by events/operations.py inside the operation, before the caller commits.
Sender: the Activity. No arguments.
""")

booked_dates_changed = _signals.signal("booked-dates-changed", doc="""Dates people may have booked moved or changed.

Sent by events/operations.py inside the operation (after a flush), before the caller commits, when one
occurrence is moved, cancelled or restored, when an activity's new times move its occurrences, and when an
activity is cancelled or published again: whatever a receiver writes commits with the change.
Sender: the Activity. `occurrence_ids`: the occurrences concerned (set of int).
""")

observance_dates_changed = _signals.signal("observance-dates-changed", doc="""An observance's tagging windows moved.

Sent by observances/operations.py inside the operation (after a flush), before the caller commits, when an
observance is added or a year's dates are set or cleared: the activities dated in the windows may need other
automatic tags.
Sender: the Observance. `windows`: the tagging windows (observances.dates.Span) before and after the change,
or None for a new observance (every window of it).
""")
