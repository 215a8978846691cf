"""How the store chooses a feed's activities (issue 17, re-assembly after one change): the copies of each
activity's public flag and institution on its fragment, the window read part by part or sorted whole, the
count of activities in the window, and the bodies serialised by the edit itself."""
from datetime import datetime

import icalendar
import pytest
from sqlalchemy import func, select, update

from calendar_app.events import operations as ops
from calendar_app.events.filters import ActivityFilters, activity_conditions, is_public
from calendar_app.events.models import Activity
from calendar_app.feeds import ical, store
from calendar_app.feeds.context import feed_context
from calendar_app.feeds.models import FeedFragment, FeedFragmentBody
from tests import test_feeds
from tests.test_feeds import NOW, _activity, _order, get_feed, uid, uids

# the feeds' fixtures: the same world, and today pinned with an empty cache
world = test_feeds.world
fixed_today = test_feeds.fixed_today

CONTEXT_BASE = "http://localhost"


def _copies(db) -> dict[int, tuple[bool, int]]:
    return {row.activity_id: (bool(row.public), row.institution_id)
            for row in db.session.execute(select(FeedFragment.activity_id, FeedFragment.public,
                                                 FeedFragment.institution_id))}


def _expected_copies(db) -> dict[int, tuple[bool, int]]:
    return {row.id: (row.status in ("published", "cancelled"), row.institution_id)
            for row in db.session.execute(select(Activity.id, Activity.status, Activity.institution_id))}


def test_a_fragment_keeps_its_activitys_public_flag_and_institution(client, db, world):
    assert _copies(db) == _expected_copies(db)
    assert _copies(db)[world.draft.id] == (False, world.library.id)

    world.talk.institution = world.museum  # the pages never move an activity; an import or a merge may
    ops.set_status(world.admin, world.festival, "draft")
    db.session.commit()
    assert _copies(db)[world.talk.id] == (True, world.museum.id)
    assert _copies(db)[world.festival.id] == (False, world.museum.id)

    # what the feeds show follows: the talk left Việt Trì for Phù Ninh, the festival is a draft now
    assert uid(world.talk) not in uids(get_feed(client, "/feeds/areas/227.ics").data)
    assert uid(world.talk) in uids(get_feed(client, "/feeds/areas/228.ics").data)
    assert uid(world.festival) not in uids(get_feed(client, "/feeds/all.ics").data)

    ops.set_status(world.admin, world.festival, "published")
    world.draft.status = "published"  # any ORM write marks the fragment
    db.session.commit()
    assert _copies(db) == _expected_copies(db)
    assert {uid(world.festival), uid(world.draft)} <= uids(get_feed(client, "/feeds/all.ics").data)


def test_a_draft_never_appears_in_any_feed(client, db, world):
    world.talk.status = "draft"
    db.session.commit()
    for path in ("/feeds/all.ics", "/feeds/areas/227.ics", "/feeds/institutions/thu-vien-viet-tri.ics",
                 "/feeds/events.ics?audience=children", "/feeds/events.ics?q=doc+sach"):
        shown = uids(get_feed(client, path).data)
        assert uid(world.draft) not in shown and uid(world.talk) not in shown, path
    assert client.get(f"/events/{world.talk.id}.ics").status_code == 404


def test_rebuild_puts_the_copies_right_after_writes_that_bypassed_the_app(app, db, world):
    # a bulk load (SQL by hand) publishes the draft and moves the talk: the copies are stale until rebuilt
    db.session.execute(update(Activity).where(Activity.id == world.draft.id).values(status="published"))
    db.session.execute(update(Activity).where(Activity.id == world.talk.id).values(institution_id=world.museum.id))
    db.session.commit()
    assert _copies(db) != _expected_copies(db)

    with app.test_request_context("/"):
        window = store.Window.around(NOW.date(), NOW, 90, 365)
        store.rebuild(db.session, feed_context(CONTEXT_BASE), window)
        db.session.commit()
    assert _copies(db) == _expected_copies(db)
    built = db.session.scalars(select(FeedFragmentBody.activity_id)).all()
    assert world.draft.id in built and world.old.id not in built  # published now; out of the window


# --- the window: read part by part, or sorted whole ----------------------------------------------------------


def _many(world):
    """Activities under way (begun before NOW, ending after it), to come, and past, with ties on their dates."""
    made = []
    for n in range(4):
        made.append(_activity(world.library, f"Chuỗi {n}", start=f"2025-03-0{n + 1}T09:00",
                              rrule="FREQ=WEEKLY;COUNT=10", categories=("club",)))
        made.append(_activity(world.centre, f"Sắp tới {n}", start="2025-04-10T09:00", hours=n + 1))
        made.append(_activity(world.museum, f"Đã qua {n}", start="2025-03-20T09:00", hours=2,
                              categories=("club",) if n % 2 else ("reading",)))
    return made


def _expected_order(db, *conditions) -> list[str]:
    """The feed's order computed from the activities' occurrences: upcoming (not ended) by first date, then by
    end (latest first), then id; then the past ones by end (latest first), then id."""
    rows = db.session.execute(select(Activity.id, FeedFragment.first_start, FeedFragment.last_end)
                              .join(FeedFragment, FeedFragment.activity_id == Activity.id)
                              .where(is_public(), FeedFragment.last_end > datetime(2024, 12, 31, 17),
                                     *conditions)).all()
    upcoming = sorted((r for r in rows if r.last_end > NOW),
                      key=lambda r: (r.first_start, -r.last_end.timestamp(), r.id))
    past = sorted((r for r in rows if r.last_end <= NOW), key=lambda r: (-r.last_end.timestamp(), r.id))
    return [f"activity-{r.id}@test.example" for r in upcoming + past]


def _assemble(app, db, filters: ActivityFilters, max_events: int = 1000, visible=store.PUBLIC) -> store.Assembled:
    with app.test_request_context("/"):
        context = feed_context(CONTEXT_BASE)
        window = store.Window.around(NOW.date(), NOW, 90, 365)
        conditions = activity_conditions(filters, visible=visible)
        assembled = store.assemble(conditions, window, store.Ceiling(10**7, max_events), context,
                                   lambda _a: ical.calendar_head("x", context))
        db.session.commit()
    return assembled


@pytest.mark.parametrize("sorted_whole", [0, 10**6], ids=["by parts", "sorted whole"])
@pytest.mark.parametrize("max_events", [1000, 7, 3, 1])
def test_both_ways_give_the_feeds_order_count_and_ceiling(app, db, world, monkeypatch, sorted_whole, max_events):
    _many(world)
    db.session.commit()
    monkeypatch.setattr(store, "SORTED_WHOLE", sorted_whole)
    expected = _expected_order(db)

    whole = _assemble(app, db, ActivityFilters())
    vevents = dict.fromkeys(expected, 0)
    for event in icalendar.Calendar.from_ical(whole.body).walk("VEVENT"):
        vevents[str(event["UID"])] += 1
    assert _order(whole.body) == expected and whole.in_window == 17 and not whole.truncated
    fitting, total = [], 0  # the longest run of the order whose VEVENTs fit under the ceiling
    for uid_ in expected:
        if total + vevents[uid_] > max_events:
            break
        fitting.append(uid_)
        total += vevents[uid_]

    assembled = _assemble(app, db, ActivityFilters(), max_events)
    assert _order(assembled.body) == fitting and assembled.activities == len(fitting)
    assert assembled.events == total == assembled.body.count(b"BEGIN:VEVENT")
    assert assembled.in_window == 17 and assembled.truncated == (len(fitting) < 17)


@pytest.mark.parametrize("sorted_whole", [0, 10**6], ids=["by parts", "sorted whole"])
def test_filtered_feeds_read_the_copies_or_join_the_activity_exactly(app, db, world, monkeypatch, sorted_whole):
    _many(world)
    db.session.commit()
    monkeypatch.setattr(store, "SORTED_WHOLE", sorted_whole)
    cases = [
        (ActivityFilters(institution=world.library), [Activity.institution_id == world.library.id]),
        (ActivityFilters(category="club"), [Activity.category_links.any(key="club")]),
        (ActivityFilters(q="chuoi"), [Activity.search_text.contains("chuoi")]),
    ]
    for filters, conditions in cases:
        expected = _expected_order(db, *conditions)
        assembled = _assemble(app, db, filters)
        assert _order(assembled.body) == expected and assembled.in_window == len(expected), filters
        # the same with the activity's own status (the store joins the activity then)
        joined = _assemble(app, db, filters, visible=is_public())
        assert joined.body == assembled.body and joined.in_window == assembled.in_window


def test_the_count_in_the_window_is_exact_when_the_feed_is_cut(app, client, db, world, monkeypatch):
    _many(world)
    db.session.commit()
    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 4)
    in_window = db.session.scalar(select(func.count()).select_from(FeedFragment).join(
        Activity, Activity.id == FeedFragment.activity_id).where(
        is_public(), FeedFragment.last_end > datetime(2024, 12, 31, 17), FeedFragment.first_start
        < datetime(2026, 4, 1, 17)))
    get_feed(client, "/feeds/all.ics")
    with app.test_request_context("/"):
        counts = store.stored_counts(store.body_id("all", store.context_key(feed_context(CONTEXT_BASE))))
    assert counts is not None and counts[1] == in_window == 17 and counts[0] < counts[1]


# --- serialised by the edit ----------------------------------------------------------------------------------


def test_an_edit_serialises_its_activity_for_the_site_before_it_commits(app, client, db, world, monkeypatch):
    get_feed(client, "/feeds/all.ics")
    with app.test_request_context("/"):
        key = store.context_key(feed_context(CONTEXT_BASE))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", CONTEXT_BASE)
    ops.update_activity(world.admin, world.talk, {"title": "Đọc sách mùa đông"})
    db.session.commit()
    revision = db.session.scalar(select(FeedFragment.revision).where(FeedFragment.activity_id == world.talk.id))
    body = db.session.execute(select(FeedFragmentBody).where(FeedFragmentBody.activity_id == world.talk.id)
                              ).scalar_one()
    assert (body.revision, body.context) == (revision, key) and "mùa đông".encode() in body.body

    serialised = []
    real = store._serialise
    monkeypatch.setattr(store, "_serialise", lambda rows, *a, **k: serialised.extend(rows) or real(rows, *a, **k))
    assert "mùa đông".encode() in get_feed(client, "/feeds/all.ics").data
    assert serialised == []  # the feed found every body ready

    # a draft is not serialised; a command without the site's address leaves it to the feeds
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    world.draft.title = "Bản nháp khác"
    db.session.commit()
    assert db.session.scalar(select(FeedFragmentBody.activity_id).where(
        FeedFragmentBody.activity_id == world.draft.id)) is None
