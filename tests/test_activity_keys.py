"""The activity's copy of its category and audience keys (events/keys.py), which the lists' key filters read."""
from datetime import date

import pytest
from sqlalchemy import select, text

from calendar_app.events import operations as ops
from calendar_app.events.filters import ActivityFilters
from calendar_app.events.keys import key_text
from calendar_app.models import Activity, ActivityAudience, ActivityCategory
from calendar_app.public.queries import list_activities
from tests import factories as f
from tests.test_event_operations import CLUB


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    lib = f.institution("thu-vien", district)
    editor = f.user("ed@example.org", "editor", institution=lib)
    return {"lib": lib, "editor": editor}


def _stored(db, activity_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Activity.key_text).where(Activity.id == activity_id))


def _listed(filters: ActivityFilters) -> list[int]:
    return [item.activity.id for item in list_activities(filters, date(2025, 9, 30)).items]


def test_the_copy_is_sorted_and_each_key_stands_alone():
    assert key_text(["reading", "club"], ["youth", "children"]) == " c:club c:reading a:children a:youth "
    assert key_text([], []) == " "
    # "digital_skills" holds a LIKE wildcard: the filter escapes it
    assert key_text(["digital_skills"], []) == " c:digital_skills "


def test_every_write_of_the_links_keeps_the_copy(db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    db.session.commit()
    assert _stored(db, act.id) == " c:club c:reading a:youth "  # CLUB: categories club and reading, the young

    ops.update_activity(world["editor"], act, {"categories": ["talk"], "audiences": ["elderly", "everyone"]})
    db.session.commit()
    assert _stored(db, act.id) == " c:talk a:elderly a:everyone "

    # link rows written on their own, not through the activity's collections
    db.session.add(ActivityCategory(activity_id=act.id, key="club"))
    db.session.commit()
    assert _stored(db, act.id) == " c:club c:talk a:elderly a:everyone "
    db.session.delete(db.session.get(ActivityAudience, (act.id, "everyone")))
    db.session.commit()
    assert _stored(db, act.id) == " c:club c:talk a:elderly "

    copy = ops.duplicate_activity(world["editor"], act)
    db.session.commit()
    assert _stored(db, copy.id) == " c:club c:talk a:elderly "


def test_the_lists_filter_by_the_copy(db, world):
    club = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    talk = ops.create_activity(world["editor"], {**CLUB, "categories": ["talk"], "audiences": ["everyone"]},
                               institution=world["lib"])
    skills = ops.create_activity(world["editor"], {**CLUB, "categories": ["digital_skills"], "audiences": []},
                                 institution=world["lib"])
    db.session.commit()
    assert _listed(ActivityFilters(category="club")) == [club.id]
    assert _listed(ActivityFilters(category="digital_skills")) == [skills.id]
    # "digital_skills" must not be matched by a pattern where "_" is any character
    assert _listed(ActivityFilters(category="digitalXskills")) == []
    # an audience also finds the activities for everyone
    assert sorted(_listed(ActivityFilters(audience="youth"))) == sorted([club.id, talk.id])
    assert _listed(ActivityFilters(audience="youth", category="talk")) == [talk.id]

    ops.update_activity(world["editor"], club, {"categories": ["talk"]})
    db.session.commit()
    assert _listed(ActivityFilters(category="club")) == []
    assert sorted(_listed(ActivityFilters(category="talk"))) == sorted([club.id, talk.id])


def test_feeds_rebuild_copies_keys_written_by_other_means(app, db, world):
    act = ops.create_activity(world["editor"], CLUB, institution=world["lib"])
    other = ops.create_activity(world["editor"], {**CLUB, "categories": ["talk"]}, institution=world["lib"])
    db.session.commit()
    # SQL by hand: links the app did not write
    db.session.execute(text("INSERT INTO activity_audiences (activity_id, key) VALUES (:id, 'elderly')"),
                       {"id": act.id})
    db.session.execute(text("DELETE FROM activity_categories WHERE activity_id = :id"), {"id": other.id})
    db.session.commit()
    assert _stored(db, act.id) == " c:club c:reading a:youth "

    result = app.test_cli_runner().invoke(args=["feeds", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "2 activities' category and audience keys copied again" in result.output
    assert _stored(db, act.id) == " c:club c:reading a:elderly a:youth "
    assert _stored(db, other.id) == " a:youth "
    assert _listed(ActivityFilters(audience="elderly")) == [act.id]
