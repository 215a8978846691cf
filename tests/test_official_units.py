"""The official units and the old → new mapping read from the vietnamadminunits package."""
import ast
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from calendar_app.places import official as o
from calendar_app.places.official import OfficialUnit, Successor

MERGED_INTO_PHU_THO = {"17", "25", "26"}  # Hòa Bình, Phú Thọ, Vĩnh Phúc → new Phú Thọ (25)
ISLAND_DISTRICTS = {"318": "11948", "471": "19742", "498": "20333", "536": "21548", "755": "26732"}


def _levels(units: list[OfficialUnit]) -> Counter:
    return Counter(unit.level for unit in units)


def test_the_package_data_is_used_whole():
    assert o.problems() == []


def test_legacy_tree_has_63_provinces_696_districts_10035_communes():
    assert _levels(o.legacy_units()) == {"province": 63, "district": 696, "commune": 10_035}


def test_current_tree_has_34_provinces_3321_communes():
    assert _levels(o.current_units()) == {"province": 34, "commune": 3_321}


@pytest.mark.parametrize(
    ("code", "districts", "communes"), [("25", 13, 207), ("26", 9, 121), ("17", 10, 151)]
)
def test_the_three_old_provinces_of_new_phu_tho(code, districts, communes):
    assert _levels(o.legacy_units({code})) == {"province": 1, "district": districts, "commune": communes}


def test_new_phu_tho_has_148_communes_and_no_districts():
    units = o.current_units({"25"})
    assert units[0] == o.current_unit("25")
    assert units[0].name == "Tỉnh Phú Thọ"
    assert _levels(units) == {"province": 1, "commune": 148}
    assert {unit.parent_code for unit in units[1:]} == {"25"}


@pytest.mark.parametrize(("units", "parent_level"), [
    (o.legacy_units, {"province": None, "district": "province", "commune": "district"}),
    (o.current_units, {"province": None, "commune": "province"}),
])
def test_parents_come_before_children_and_codes_are_unique(units, parent_level):
    seen: dict[str, OfficialUnit] = {}
    for unit in units():
        assert unit.code not in seen, f"code {unit.code} given twice"
        assert len(unit.code) == {"province": 2, "district": 3, "commune": 5}[unit.level]
        if parent_level[unit.level] is None:
            assert unit.parent_code is None
        else:
            assert seen[unit.parent_code].level == parent_level[unit.level]
        seen[unit.code] = unit


def test_a_province_filter_keeps_the_order_and_the_whole_subtree():
    legacy = o.legacy_units(MERGED_INTO_PHU_THO)
    assert [u.code for u in legacy if u.level == "province"] == ["17", "25", "26"]
    assert legacy == [u for u in o.legacy_units() if u.code in {x.code for x in legacy}]
    assert legacy[0] == o.legacy_unit("17") and legacy[1].parent_code == "17"


def test_official_full_names():
    assert o.legacy_unit("25").name == "Tỉnh Phú Thọ"
    assert o.legacy_unit("01").name == "Thành phố Hà Nội"
    assert o.legacy_unit("227").name == "Thành phố Việt Trì"
    assert o.legacy_unit("230").name == "Huyện Đoan Hùng"
    assert o.legacy_unit("07969").name == "Thị trấn Đoan Hùng"
    assert o.current_unit("26732").name == "Đặc khu Côn Đảo"
    # the package spells a few types in title case; the official spelling is sentence case
    assert o.legacy_unit("058").name == "Thành phố Bắc Kạn"
    assert o.legacy_unit("32191").name == "Thị trấn Năm Căn"
    for unit in o.legacy_units() + o.current_units():
        assert unit.name.startswith(tuple(f"{p} " for p in o._PREFIXES[unit.level])), unit


def test_every_unit_has_coordinates_in_vietnam():
    for unit in o.legacy_units() + o.current_units():
        assert 8 < unit.latitude < 24 and 102 < unit.longitude < 118, unit


def test_provinces_before_and_after():
    assert {o.successor_province(code) for code in MERGED_INTO_PHU_THO} == {"25"}
    assert o.old_provinces_of("25") == MERGED_INTO_PHU_THO
    assert o.old_provinces_of("01") == {"01"}
    assert o.successor_province("10") == "15"  # Lào Cai took Yên Bái's code
    legacy_provinces = [u.code for u in o.legacy_units() if u.level == "province"]
    for code in legacy_provinces:
        assert o.new_provinces_of(code) == {o.successor_province(code)}
    assert {o.successor_province(code) for code in legacy_provinces} == {
        u.code for u in o.current_units() if u.level == "province"
    }


def test_every_old_commune_of_the_three_provinces_goes_to_new_phu_tho():
    old_communes = [u for u in o.legacy_units(MERGED_INTO_PHU_THO) if u.level == "commune"]
    new_communes = {u.code for u in o.current_units({"25"}) if u.level == "commune"}
    assert len(old_communes) == 479
    for unit in old_communes:
        assert {s.code for s in o.successor_communes(unit.code)} <= new_communes, unit
    taken_in = {p.code for code in new_communes for p in o.predecessors(code)}
    assert taken_in == {u.code for u in old_communes}


def test_every_old_commune_and_island_district_has_successors_and_every_new_commune_predecessors():
    old_codes = {u.code for u in o.legacy_units() if u.level == "commune"} | set(ISLAND_DISTRICTS)
    new_codes = {u.code for u in o.current_units() if u.level == "commune"}
    for code in old_codes:
        successors = o.successor_communes(code)
        assert successors and {s.code for s in successors} <= new_codes
        for successor in successors:
            assert o.predecessors(successor.code).count(o.Predecessor(code, partial=len(successors) > 1)) == 1
    assert {p.code for code in new_codes for p in o.predecessors(code)} == old_codes


def test_island_districts_without_communes_became_special_zones():
    for district, zone in ISLAND_DISTRICTS.items():
        assert not [u for u in o.legacy_units() if u.parent_code == district]
        assert [s.code for s in o.successor_communes(district)] == [zone]
        assert o.predecessors(zone) == [o.Predecessor(district, partial=False)]


def test_3316_new_communes_reuse_the_code_of_an_old_commune_they_took_in():
    old_codes = {u.code for u in o.legacy_units() if u.level == "commune"}
    new_communes = [u for u in o.current_units() if u.level == "commune"]
    reused = [u.code for u in new_communes if u.code in old_codes]
    assert len(reused) == 3_316
    for code in reused:
        assert code in {p.code for p in o.predecessors(code)}
    assert {u.code for u in new_communes if u.code not in old_codes} == set(ISLAND_DISTRICTS.values())


def test_471_old_communes_were_split_each_with_one_default_successor_first():
    split = {
        u.code: o.successor_communes(u.code)
        for u in o.legacy_units() if u.level == "commune" and len(o.successor_communes(u.code)) > 1
    }
    assert len(split) == 471
    assert Counter(len(successors) for successors in split.values()) == {2: 397, 3: 58, 4: 15, 5: 1}
    for successors in split.values():
        assert [s.default for s in successors] == [True] + [False] * (len(successors) - 1)
    in_phu_tho = {code for code in split if o.successor_communes(code)[0].code in {
        u.code for u in o.current_units({"25"})
    }}
    assert len(in_phu_tho) == 3


def test_an_undivided_commune_has_one_successor():
    # Phường Nông Trang (Việt Trì) and two neighbours became the new Phường Nông Trang, same code
    assert o.successor_communes("07894") == [Successor("07894", True, 21.3283, 105.357)]
    assert [p.code for p in o.predecessors("07894")] == ["07894", "07924", "07927"]


def test_nearest_chooses_among_the_successors_of_a_split_commune():
    split = next(
        u.code for u in o.legacy_units({"17"}) if u.level == "commune" and len(o.successor_communes(u.code)) > 1
    )
    successors = o.successor_communes(split)
    for successor in successors:
        near = (successor.latitude + 0.001, successor.longitude)
        found = o.nearest(near, successors)
        assert found.choice == successor
        assert found.distance_km == pytest.approx(0.111, abs=0.001)


def test_nearest_and_haversine():
    assert o.haversine_km((21.0, 105.0), (22.0, 105.0)) == pytest.approx(111.19, abs=0.01)
    assert o.haversine_km((21.0285, 105.8542), (10.7769, 106.7009)) == pytest.approx(1_139, abs=5)
    a, b = Successor("00001", True, 21.0, 105.0), Successor("00002", False, 21.0, 105.2)
    assert o.nearest((21.0, 105.15), [a, b]).choice == b
    assert o.nearest((21.0, 105.1), [a, b]).choice == a  # a tie goes to the first
    assert o.nearest((21.0, 105.0), [a]).distance_km == 0


@pytest.mark.parametrize(("point", "candidates", "message"), [
    ((21.0, 105.0), [], "no candidates"),
    ((21.0, 105.0), [Successor("00001", True, None, None)], "without coordinates"),
    ((105.0, 21.0), [Successor("00001", True, 21.0, 105.0)], "not a (latitude, longitude) point"),
])
def test_nearest_refuses_to_guess(point, candidates, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        o.nearest(point, candidates)


@pytest.mark.parametrize(("call", "argument"), [
    (o.legacy_unit, "99"),
    (o.current_unit, "26"),  # Vĩnh Phúc is no longer a province
    (o.successor_province, "99"),
    (o.new_provinces_of, "227"),
    (o.old_provinces_of, "17"),
    (o.successor_communes, "227"),  # a district with communes: ask for its communes
    (o.predecessors, "25"),
    (o.legacy_units, {"25", "99"}),
    (o.current_units, {"26"}),
])
def test_unknown_codes_are_refused(call, argument):
    with pytest.raises(o.UnknownUnit):
        call(argument)


def test_a_single_code_string_is_not_mistaken_for_a_collection():
    with pytest.raises(TypeError, match="collection of province codes"):
        o.legacy_units("25")


def test_results_are_copies():
    o.legacy_units({"25"}).clear()
    o.successor_communes("07894").clear()
    assert len(o.legacy_units({"25"})) == 221
    assert len(o.successor_communes("07894")) == 1


def test_the_module_is_pure():
    source = Path(o.__file__).read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert imported <= {
        "math", "warnings", "collections", "dataclasses", "datetime", "functools", "typing", "vietnamadminunits"
    }


def test_loading_is_lazy_offline_and_fast():
    script = textwrap.dedent("""
        import socket, sys, time

        def refuse(*args, **kwargs):
            raise AssertionError("network access")

        socket.socket.connect = socket.socket.connect_ex = refuse
        socket.getaddrinfo = socket.create_connection = refuse
        import calendar_app.places.official as o
        assert "vietnamadminunits" not in sys.modules, "the package is imported on first use only"
        start = time.perf_counter()
        o.legacy_units(); o.current_units(); o.successor_communes("07894")
        print(time.perf_counter() - start)
    """)
    result = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 5  # about 0.8 s: 0.2 s importing the package, the rest reading both trees
