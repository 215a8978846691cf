"""Vietnam's official administrative units on both sides of the 1 July 2025 reform, and the official
old → new mapping, read from the bundled data of the ``vietnamadminunits`` package (MIT).

Pure: no Flask, no database, no network. The data is read once per process on first use.

- The legacy tree (63 provinces → districts → communes) is the one valid until 30 June 2025, as it stood
  just before the reform; the current tree (34 provinces → communes, wards and special zones) is valid
  from ``REFORM_DATE``. Codes are the official statistical codes: provinces two digits, districts three,
  communes five; a code is unique within each tree, but most codes appear in both trees.
- Five legacy island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no communes; each
  became one special zone (``Đặc khu``) of the current tree, so the mapping accepts their district codes
  wherever it accepts an old commune code.
- Only the package's data is used (its SQLite tables through ``get_data`` and the mapping constants of
  its converter), never its address parsers or geocoder, which may reach the network.
"""
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Generic, Literal, Protocol, TypeVar

#: first day of the current tree; the legacy tree is valid until the day before
REFORM_DATE = date(2025, 7, 1)

Level = Literal["province", "district", "commune"]

LEGACY_TABLE = "admin_units_legacy"
CURRENT_TABLE = "admin_units"

# the official unit types, as they begin an official full name
_PREFIXES: dict[Level, tuple[str, ...]] = {
    "province": ("Tỉnh", "Thành phố"),
    "district": ("Quận", "Huyện", "Thị xã", "Thành phố"),
    "commune": ("Phường", "Xã", "Thị trấn", "Đặc khu"),
}

_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class OfficialUnit:
    code: str
    #: official full name, type first: "Tỉnh Phú Thọ", "Huyện Đoan Hùng", "Thị trấn Hạ Hòa"
    name: str
    level: Level
    parent_code: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Successor:
    """A new commune that took in all or part of an old commune."""

    code: str
    #: the package's choice for an old commune split among several new ones (always True when not split)
    default: bool
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Predecessor:
    """An old commune (or commune-less island district) that went into a new commune."""

    code: str
    #: only part of it went here: the old commune was split among several new ones
    partial: bool


class Located(Protocol):
    @property
    def latitude(self) -> float | None: ...

    @property
    def longitude(self) -> float | None: ...


L = TypeVar("L", bound=Located)


@dataclass(frozen=True, slots=True)
class Nearest(Generic[L]):
    choice: L
    distance_km: float


class UnknownUnit(LookupError):
    """No unit with this code in the tree asked for."""


@dataclass(frozen=True)
class _Tree:
    #: unit code → unit, in parent-before-child order (provinces by code, each followed by its subtree)
    units: dict[str, OfficialUnit]
    #: province code → its units, province first, in the same order
    by_province: dict[str, tuple[OfficialUnit, ...]]
    #: unit code → code of its province
    province_of: dict[str, str]


@dataclass(frozen=True)
class _Official:
    legacy: _Tree
    current: _Tree
    #: old province code → new province code (the package's province table)
    province: dict[str, str]
    #: old commune (or island district) code → new communes, the default one first
    successors: dict[str, tuple[Successor, ...]]
    #: new commune code → old communes (or island districts) it took in, by code
    predecessors: dict[str, tuple[Predecessor, ...]]
    new_provinces: dict[str, frozenset[str]]
    old_provinces: dict[str, frozenset[str]]
    problems: tuple[str, ...]


# --- the public functions ---------------------------------------------------------------------


def legacy_units(provinces: Iterable[str] | None = None) -> list[OfficialUnit]:
    """Units of the 63-province tree (valid until 30 June 2025), parents before children."""
    return _select(_data().legacy, provinces, "legacy")


def current_units(provinces: Iterable[str] | None = None) -> list[OfficialUnit]:
    """Units of the 34-province tree (valid from 1 July 2025), parents before children."""
    return _select(_data().current, provinces, "current")


def legacy_unit(code: str) -> OfficialUnit:
    """The legacy province, district or commune with this code."""
    return _unit(_data().legacy, code, "legacy")


def current_unit(code: str) -> OfficialUnit:
    """The current province or commune with this code."""
    return _unit(_data().current, code, "current")


def successor_province(old_province_code: str) -> str:
    """Code of the new province that took in this old province."""
    try:
        return _data().province[old_province_code]
    except KeyError:
        raise UnknownUnit(f"no legacy province with code {old_province_code!r}") from None


def new_provinces_of(old_province_code: str) -> set[str]:
    """New provinces holding the old province's communes (one: provinces were merged, never split)."""
    try:
        return set(_data().new_provinces[old_province_code])
    except KeyError:
        raise UnknownUnit(f"no legacy province with code {old_province_code!r}") from None


def old_provinces_of(new_province_code: str) -> set[str]:
    """Old provinces whose communes now form this new province (new 25 → {17, 25, 26})."""
    try:
        return set(_data().old_provinces[new_province_code])
    except KeyError:
        raise UnknownUnit(f"no current province with code {new_province_code!r}") from None


def successor_communes(old_code: str) -> list[Successor]:
    """New communes that took in an old commune (or island district): one, or several if it was split.

    The package's default comes first; choose among several with ``nearest`` when a position is known.
    """
    try:
        return list(_data().successors[old_code])
    except KeyError:
        raise UnknownUnit(f"no legacy commune or island district with code {old_code!r}") from None


def predecessors(new_commune_code: str) -> list[Predecessor]:
    """Old communes (or island districts) that went, wholly or in part, into a new commune."""
    try:
        return list(_data().predecessors[new_commune_code])
    except KeyError:
        raise UnknownUnit(f"no current commune with code {new_commune_code!r}") from None


def problems() -> list[str]:
    """What in the package's data could not be used (unmatched keys, clashes), one line each; empty today."""
    return list(_data().problems)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest(point: tuple[float, float], candidates: Iterable[L]) -> Nearest[L]:
    """The candidate whose coordinates are nearest to a (latitude, longitude) point, and how far it is.

    Ties go to the earlier candidate. Refuses (ValueError) rather than guess: no candidates, a candidate
    without coordinates, or a point that is not a latitude/longitude pair.
    """
    lat, lon = point
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"not a (latitude, longitude) point: {point!r}")
    best: Nearest[L] | None = None
    for candidate in candidates:
        if candidate.latitude is None or candidate.longitude is None:
            raise ValueError(f"candidate without coordinates: {candidate!r}")
        distance = haversine_km((lat, lon), (candidate.latitude, candidate.longitude))
        if best is None or distance < best.distance_km:
            best = Nearest(candidate, distance)
    if best is None:
        raise ValueError("no candidates to choose from")
    return best


# --- lookups ----------------------------------------------------------------------------------


def _select(tree: _Tree, provinces: Iterable[str] | None, label: str) -> list[OfficialUnit]:
    if provinces is None:
        return list(tree.units.values())
    if isinstance(provinces, str):
        raise TypeError(f"pass a collection of province codes, e.g. {{{provinces!r}}}, not one string")
    wanted = set(provinces)
    unknown = sorted(wanted - tree.by_province.keys())
    if unknown:
        raise UnknownUnit(f"no {label} province with code {', '.join(map(repr, unknown))}")
    return [unit for code in sorted(wanted) for unit in tree.by_province[code]]


def _unit(tree: _Tree, code: str, label: str) -> OfficialUnit:
    try:
        return tree.units[code]
    except KeyError:
        raise UnknownUnit(f"no {label} unit with code {code!r}") from None


# --- loading ----------------------------------------------------------------------------------


@cache
def _data() -> _Official:
    legacy_rows, current_rows, mapping = _read_package()
    return _build(legacy_rows, current_rows, mapping)


def _read_package() -> tuple[list[dict], list[dict], dict]:
    """The package's two tables and its old → new mapping, as plain rows and dicts."""
    # Imported here, not at module level: importing the package loads its parsers, geopy and shapely
    # (about 0.2 s), which only the first use of the data should pay.
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.database import get_data

    legacy_fields = [
        "provinceCode", "province", "provinceKey", "provinceLat", "provinceLon",
        "districtCode", "district", "districtKey", "districtLat", "districtLon",
        "wardCode", "ward", "wardKey", "wardLat", "wardLon",
    ]
    current_fields = [
        "provinceCode", "province", "provinceKey", "provinceLat", "provinceLon",
        "wardCode", "ward", "wardKey", "wardLat", "wardLon",
    ]
    with warnings.catch_warnings():
        # get_data leaves its SQLite connection to the garbage collector, which warns from Python 3.13
        warnings.simplefilter("ignore", ResourceWarning)
        legacy_rows = get_data(legacy_fields, LEGACY_TABLE)
        current_rows = get_data(current_fields, CURRENT_TABLE)
    mapping = {
        "DICT_PROVINCE": converter_2025.DICT_PROVINCE,
        "DICT_PROVINCE_WARD_NO_DIVIDED": converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED,
        "DICT_PROVINCE_WARD_DIVIDED": converter_2025.DICT_PROVINCE_WARD_DIVIDED,
    }
    return legacy_rows, current_rows, mapping


class _TreeBuilder:
    """Collects units from flat rows (one per lowest unit), checking that repeated units agree."""

    def __init__(self, problems: list[str], label: str) -> None:
        self.units: dict[str, OfficialUnit] = {}
        self.province_of: dict[str, str] = {}
        #: package key → unit code (provinces: "tinhphutho"; communes: see the callers)
        self.keys: dict[str, str] = {}
        self.problems = problems
        self.label = label

    def add(self, unit: OfficialUnit, province: str, key: str) -> None:
        seen = self.units.get(unit.code)
        if seen is None:
            self.units[unit.code] = unit
            self.province_of[unit.code] = province
        elif seen != unit:
            self.problems.append(f"{self.label} unit {unit.code} given twice, differently: {seen} / {unit}")
            return
        known = self.keys.setdefault(key, unit.code)
        if known != unit.code:
            self.problems.append(f"{self.label} key {key!r} names two units, {known} and {unit.code}")

    def tree(self) -> _Tree:
        by_province: dict[str, list[OfficialUnit]] = defaultdict(list)
        for unit in self.units.values():
            by_province[self.province_of[unit.code]].append(unit)
        # rows are sorted by code path, so within a province every parent precedes its children
        ordered = {code: tuple(by_province[code]) for code in sorted(by_province)}
        return _Tree(
            units={u.code: u for units in ordered.values() for u in units},
            by_province=ordered,
            province_of=self.province_of,
        )


def _official_name(name: str, level: Level) -> str:
    """The full name with its type in the official spelling ("Thị Trấn Ái Tử" → "Thị trấn Ái Tử")."""
    for prefix in _PREFIXES[level]:
        if name[: len(prefix)].casefold() == prefix.casefold() and name[len(prefix) : len(prefix) + 1] == " ":
            return prefix + name[len(prefix) :]
    return name


def _unit_from(row: dict, field: str, level: Level, parent: str | None, lat: str, lon: str) -> OfficialUnit:
    return OfficialUnit(
        code=row[f"{field}Code"],
        name=_official_name(row[field], level),
        level=level,
        parent_code=parent,
        latitude=row[lat],
        longitude=row[lon],
    )


def _build(legacy_rows: list[dict], current_rows: list[dict], mapping: dict) -> _Official:
    problems: list[str] = []

    legacy = _TreeBuilder(problems, "legacy")
    for row in sorted(legacy_rows, key=lambda r: (r["provinceCode"], r["districtCode"], r["wardCode"] or "")):
        province, district = row["provinceCode"], row["districtCode"]
        p_key, d_key = row["provinceKey"], row["districtKey"]
        legacy.add(_unit_from(row, "province", "province", None, "provinceLat", "provinceLon"), province, p_key)
        legacy.add(
            _unit_from(row, "district", "district", province, "districtLat", "districtLon"),
            province,
            f"{p_key}_{d_key}_",  # how the mapping names an island district without communes
        )
        if row["wardCode"] is None:
            continue
        legacy.add(
            _unit_from(row, "ward", "commune", district, "wardLat", "wardLon"),
            province,
            f"{p_key}_{d_key}_{row['wardKey']}",
        )

    current = _TreeBuilder(problems, "current")
    for row in sorted(current_rows, key=lambda r: (r["provinceCode"], r["wardCode"])):
        province, p_key = row["provinceCode"], row["provinceKey"]
        current.add(_unit_from(row, "province", "province", None, "provinceLat", "provinceLon"), province, p_key)
        current.add(
            _unit_from(row, "ward", "commune", province, "wardLat", "wardLon"), province, f"{p_key}_{row['wardKey']}"
        )

    legacy_tree, current_tree = legacy.tree(), current.tree()

    def old(key: str, where: str) -> str | None:
        code = legacy.keys.get(key)
        if code is None:
            problems.append(f"{where}: old unit key {key!r} matches no legacy unit")
        return code

    def new(key: str, where: str) -> str | None:
        code = current.keys.get(key)
        if code is None:
            problems.append(f"{where}: new unit key {key!r} matches no current unit")
        return code

    province_map: dict[str, str] = {}
    for new_key, old_keys in mapping["DICT_PROVINCE"].items():
        new_code = new(new_key, "DICT_PROVINCE")
        for old_key in old_keys:
            old_code = old(old_key, f"DICT_PROVINCE[{new_key}]")
            if new_code is None or old_code is None:
                continue
            if province_map.setdefault(old_code, new_code) != new_code:
                problems.append(f"old province {old_code} goes to two new provinces")

    found: dict[str, list[Successor]] = defaultdict(list)

    def link(old_code: str, new_code: str, default: bool) -> None:
        unit = current_tree.units[new_code]
        found[old_code].append(Successor(new_code, default, unit.latitude, unit.longitude))

    for new_p_key, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w_key, old_keys in wards.items():
            where = f"DICT_PROVINCE_WARD_NO_DIVIDED[{new_p_key}][{new_w_key}]"
            new_code = new(f"{new_p_key}_{new_w_key}", where)
            for old_key in old_keys:
                old_code = old(old_key, where)
                if new_code is not None and old_code is not None:
                    link(old_code, new_code, True)
    for new_p_key, old_wards in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in old_wards.items():
            where = f"DICT_PROVINCE_WARD_DIVIDED[{new_p_key}][{old_key}]"
            old_code = old(old_key, where)
            for part in parts:
                new_code = new(f"{new_p_key}_{part['newWardKey']}", where)
                if new_code is not None and old_code is not None:
                    link(old_code, new_code, bool(part["isDefaultNewWard"]))

    with_communes = {u.parent_code for u in legacy_tree.units.values() if u.level == "commune"}
    successors: dict[str, tuple[Successor, ...]] = {}
    for old_code, found_successors in sorted(found.items()):
        if len({s.code for s in found_successors}) != len(found_successors):
            problems.append(f"old unit {old_code} is mapped to the same new commune twice")
        if sum(s.default for s in found_successors) != 1:
            problems.append(f"old unit {old_code} has {sum(s.default for s in found_successors)} default successors")
        if old_code in with_communes:
            problems.append(f"old district {old_code} has communes, yet the mapping maps the district itself")
        successors[old_code] = tuple(sorted(found_successors, key=lambda s: (not s.default, s.code)))

    for unit in legacy_tree.units.values():
        mapped = unit.level == "commune" or (unit.level == "district" and unit.code not in with_communes)
        if mapped and unit.code not in successors:
            problems.append(f"old {unit.level} {unit.code} {unit.name} has no successor in the mapping")
        if unit.level == "province" and unit.code not in province_map:
            problems.append(f"old province {unit.code} {unit.name} has no successor province")

    gathered: dict[str, list[Predecessor]] = defaultdict(list)
    for old_code, its_successors in successors.items():
        for successor in its_successors:
            gathered[successor.code].append(Predecessor(old_code, partial=len(its_successors) > 1))
    for unit in current_tree.units.values():
        if unit.level == "commune" and unit.code not in gathered:
            problems.append(f"new commune {unit.code} {unit.name} has no predecessor in the mapping")
    predecessors_map = {code: tuple(sorted(found_p, key=lambda p: p.code)) for code, found_p in gathered.items()}
    for unit in current_tree.units.values():
        if unit.level == "commune":
            predecessors_map.setdefault(unit.code, ())

    new_provinces: dict[str, set[str]] = {code: set() for code in legacy_tree.by_province}
    old_provinces: dict[str, set[str]] = {code: set() for code in current_tree.by_province}
    for old_code, its_successors in successors.items():
        for successor in its_successors:
            old_p, new_p = legacy_tree.province_of[old_code], current_tree.province_of[successor.code]
            new_provinces[old_p].add(new_p)
            old_provinces[new_p].add(old_p)
    for old_p, new_ps in new_provinces.items():
        if old_p in province_map and new_ps != {province_map[old_p]}:
            problems.append(f"old province {old_p}: communes go to {sorted(new_ps)}, province to {province_map[old_p]}")

    return _Official(
        legacy=legacy_tree,
        current=current_tree,
        province=province_map,
        successors=successors,
        predecessors=predecessors_map,
        new_provinces={code: frozenset(codes) for code, codes in new_provinces.items()},
        old_provinces={code: frozenset(codes) for code, codes in old_provinces.items()},
        problems=tuple(problems),
    )
