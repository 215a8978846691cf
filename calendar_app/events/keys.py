"""An activity's category and audience keys, copied onto the activity as one text (`Activity.key_text`).

The public lists walk dates and activities in index order and stop after a page; a key filter checked against
the link tables costs an index probe for every activity walked past (a category and an audience together:
thousands of probes for one page). The copy sits in the activities' listing indexes, so the same check is a
comparison inside the index. The link tables stay the record; every ORM write of a link updates the copy before
the flush (install()); bulk loads write it themselves (bench/generate.py) or have it written again after them
(refill(), run by `flask feeds rebuild`).
"""
from sqlalchemy import bindparam, event, inspect, or_, select, update
from sqlalchemy.orm import Session

from .models import Activity, ActivityAudience, ActivityCategory

_PREFIXES = {ActivityCategory: "c", ActivityAudience: "a"}


def key_text(categories, audiences) -> str:
    """The copy for these keys: " c:club a:youth " (each key between spaces, so that one is not found in another)."""
    words = [f"c:{key}" for key in sorted(categories)] + [f"a:{key}" for key in sorted(audiences)]
    return " " + "".join(f"{word} " for word in words)


def has_key(model, keys) -> object:
    """SQL condition on Activity: it holds one of `keys` of the link model (ActivityCategory or ActivityAudience)."""
    prefix = _PREFIXES[model]
    return or_(*(Activity.key_text.contains(f" {prefix}:{key} ", autoescape=True) for key in keys))


def _keep_key_text(session: Session, _context, _instances) -> None:
    """Activities whose links were added or removed in this flush (through their collections, or as link rows
    of their own) get their copy written again."""
    touched, links = set(), []
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty, *session.deleted]:
            if isinstance(obj, Activity):
                state = inspect(obj)
                if obj in session.new or any(state.attrs[name].history.has_changes()
                                             for name in ("category_links", "audience_links")):
                    touched.add(obj)
            elif isinstance(obj, ActivityCategory | ActivityAudience):
                links.append(obj)
                activity = obj.activity
                if activity is None and obj.activity_id is not None:
                    activity = session.get(Activity, obj.activity_id)
                if activity is not None:
                    touched.add(activity)
        for activity in touched - set(session.deleted):
            keys = {model: _held(session, activity, model, links) for model in _PREFIXES}
            text = key_text(keys[ActivityCategory], keys[ActivityAudience])
            if activity.key_text != text:
                activity.key_text = text


def _held(session: Session, activity: Activity, model, links: list) -> set[str]:
    """The keys of the model the activity will hold once this flush is written."""
    collection = activity.category_links if model is ActivityCategory else activity.audience_links
    held = {link.key for link in collection if link not in session.deleted}
    for link in links:
        mine = link.activity is activity or (activity.id is not None and link.activity_id == activity.id)
        if isinstance(link, model) and mine:
            if link in session.deleted:
                held.discard(link.key)
            elif link in session.new:
                held.add(link.key)
    return held


#: activities whose copies are checked per statement by refill()
CHUNK = 5000


def refill(session: Session) -> int:
    """Write every activity's copy again from its links where it differs (after links written by SQL or COPY):
    how many were rewritten."""
    rewritten, last = 0, 0
    while True:
        rows = session.execute(select(Activity.id, Activity.key_text).where(Activity.id > last)
                               .order_by(Activity.id).limit(CHUNK)).all()
        if not rows:
            return rewritten
        ids = [activity_id for activity_id, _text in rows]
        held: dict[int, dict] = {activity_id: {ActivityCategory: [], ActivityAudience: []} for activity_id in ids}
        for model in _PREFIXES:
            for activity_id, key in session.execute(select(model.activity_id, model.key)
                                                    .where(model.activity_id.between(ids[0], ids[-1]))):
                if activity_id in held:
                    held[activity_id][model].append(key)
        changed = [{"row_id": activity_id, "text": text} for activity_id, stored in rows
                   if (text := key_text(held[activity_id][ActivityCategory], held[activity_id][ActivityAudience]))
                   != stored]
        if changed:
            table = Activity.__table__
            session.execute(update(table).where(table.c.id == bindparam("row_id")).values(key_text=bindparam("text")),
                            changed)
        rewritten, last = rewritten + len(changed), ids[-1]


def install() -> None:
    """Listen on every session (the app factory calls this once)."""
    if not event.contains(Session, "before_flush", _keep_key_text):
        event.listen(Session, "before_flush", _keep_key_text)
