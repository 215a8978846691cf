import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from calendar_app.models import Area, AuditEntry, Institution
from calendar_app.places import operations as ops
from calendar_app.validation import ValidationFailed
from tests import factories as f


@pytest.fixture()
def people(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    lib = f.institution("thu-vien", district)
    people = {
        "admin": f.user("a@example.org", "admin"),
        "officer": f.user("o@example.org", "officer", area=province),
        "editor": f.user("e@example.org", "editor", institution=lib),
        "lib": lib,
    }
    db.session.commit()
    return people


def test_admin_creates_area_under_parent_and_institution(db, people):
    commune = ops.create_area(people["admin"], {"code": "07900", "name": "Gia Cẩm", "level": "commune",
                                                "parent": "227"})
    assert commune.path.startswith(commune.parent.path)
    inst = ops.create_institution(people["admin"], {"slug": "nvh-gia-cam", "name": "Nhà văn hóa",
                                                     "category": "culture_centre_commune", "area": "07900"})
    assert inst.area is commune
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2


@pytest.mark.parametrize("data, field", [
    ({"code": "227", "name": "dup", "level": "district", "parent": "25"}, "code"),
    ({"code": "999", "name": "x", "level": "district"}, "parent"),
    ({"code": "999", "name": "x", "level": "district", "parent": "nope"}, "parent"),
    ({"code": "999", "name": "x", "level": "county", "parent": "25"}, "level"),
    ({"code": "9 9", "name": "x", "level": "district", "parent": "25"}, "code"),
])
def test_bad_areas_are_refused(db, people, data, field):
    with pytest.raises(ValidationFailed) as refused:
        ops.create_area(people["admin"], data)
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Area)) == 2


def test_only_admins_create(db, people):
    for who in ("officer", "editor"):
        with pytest.raises(Forbidden):
            ops.create_area(people[who], {"code": "1", "name": "x", "level": "province"})
        with pytest.raises(Forbidden):
            ops.create_institution(people[who], {"slug": "x", "name": "x", "category": "museum", "area": "25"})


def test_editor_changes_only_details_of_own_institution(db, people):
    ops.update_institution(people["editor"], people["lib"], {"contact_phone": "0210 1", "address": "Trần Phú"})
    assert people["lib"].contact_phone == "0210 1"
    with pytest.raises(ValidationFailed) as refused:
        ops.update_institution(people["editor"], people["lib"], {"category": "museum"})
    assert "category" in refused.value.fields
    with pytest.raises(Forbidden):
        ops.update_institution(people["officer"], people["lib"], {"address": "x"})
    other = f.institution("other", f.area("26", "Vĩnh Phúc", "province"))
    with pytest.raises(NotFound):
        ops.update_institution(people["editor"], other, {"address": "x"})
    ops.update_institution(people["admin"], people["lib"], {"category": "library_provincial", "area": "25"})
    assert people["lib"].area.code == "25"
    assert db.session.scalar(select(Institution.category).where(Institution.slug == "thu-vien")) == \
        "library_provincial"
