from sqlalchemy import select

from calendar_app.models import Area, Institution
from calendar_app.places.tree import assign_path, subtree
from tests import factories as f


def _tree(db):
    province = f.area("25", "Phú Thọ", "province")
    viet_tri = f.area("227", "Việt Trì", parent=province)
    doan_hung = f.area("230", "Đoan Hùng", parent=province)
    gia_cam = f.area("07900", "Gia Cẩm", "commune", parent=viet_tri)
    other = f.area("26", "Vĩnh Phúc", "province")
    return province, viet_tri, doan_hung, gia_cam, other


def test_subtree_is_one_query_on_the_path(db):
    province, viet_tri, doan_hung, gia_cam, other = _tree(db)
    assert [a.code for a in subtree(province)] == ["25", "227", "07900", "230"]
    assert [a.code for a in subtree(viet_tri)] == ["227", "07900"]
    assert [a.code for a in subtree(gia_cam)] == ["07900"]
    assert [a.code for a in subtree(other)] == ["26"]


def test_institutions_in_subtree(db):
    province, viet_tri, doan_hung, gia_cam, other = _tree(db)
    f.institution("a", gia_cam)
    f.institution("b", doan_hung)
    f.institution("c", other)
    in_viet_tri = db.session.scalars(
        select(Institution.slug).where(Institution.area_id.in_(viet_tri.subtree_ids()))
    ).all()
    in_province = db.session.scalars(
        select(Institution.slug).where(Institution.area_id.in_(province.subtree_ids())).order_by(Institution.slug)
    ).all()
    assert in_viet_tri == ["a"]
    assert in_province == ["a", "b"]


def test_moving_an_area_moves_its_subtree(db):
    province, viet_tri, doan_hung, gia_cam, other = _tree(db)
    viet_tri.parent = other
    assign_path(viet_tri)
    db.session.expire_all()
    assert [a.code for a in subtree(other)] == ["26", "227", "07900"]
    assert [a.code for a in subtree(province)] == ["25", "230"]
    gia_cam = db.session.scalar(select(Area).where(Area.code == "07900"))
    assert [a.code for a in gia_cam.ancestors()] == ["26", "227"]


def test_path_prefix_does_not_match_sibling_with_longer_id(db):
    # ids 1 and 10 must not be confused: the path ends with a slash
    province = f.area("25", "P", "province")
    areas = [f.area(str(100 + i), parent=province) for i in range(12)]
    first = areas[0]
    assert [a.code for a in subtree(first)] == [first.code]


def test_area_validity_dates(db):
    from datetime import date

    district = Area(code="227", name="Việt Trì", level="district", valid_from=date(1997, 1, 1),
                    valid_to=date(2025, 7, 1))
    assert district.valid_on(date(2025, 6, 30))
    assert not district.valid_on(date(2025, 7, 1))
