"""Loading the official administrative units (places/official.py) into the area tree, idempotently.

The legacy tree (63 provinces → districts → communes) is valid until 30 June 2025 (`valid_to` 1 July
2025, exclusive), the current one (34 provinces → communes) from 1 July 2025; both hang under the country
(level `country`, code VN), and the official old → new mapping becomes `area_successions`.

An existing area is the official unit with the same code and level on the same side of the reform (the
legacy side: valid before 1 July 2025); its name, parent, coordinates and end of validity are brought in
line, and a unit that was still open is closed on the reform's day. Areas that are not in the official
lists (added by hand) are left as they are. A second run changes nothing.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..extensions import db
from . import official
from .models import Area, AreaSuccession
from .tree import assign_path

COUNTRY_CODE = "VN"
COUNTRY_NAME = "Việt Nam"
LEGACY, CURRENT = "legacy", "current"
LEVELS = ("province", "district", "commune")

Echo = Callable[[str], None]


@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    successions_added: int = 0
    #: areas with an official code that the lists do not hold (left as they are)
    unofficial: list[Area] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.added + self.changed + self.successions_added


def provinces_to_import(codes: Iterable[str]) -> tuple[set[str], set[str]]:
    """(legacy, current) province codes: each code named, of either tree, with every province merged with it,
    so that a province's past and present are imported together (25 → legacy 17, 25, 26 and current 25)."""
    legacy: set[str] = set()
    current: set[str] = set()
    pending = list(codes)
    while pending:
        code = pending.pop()
        known = False
        try:
            official.current_unit(code)
            known = True
            if code not in current:
                current.add(code)
                pending += sorted(official.old_provinces_of(code) - legacy)
        except official.UnknownUnit:
            pass
        try:
            if official.legacy_unit(code).level == "province":
                known = True
                if code not in legacy:
                    legacy.add(code)
                    pending += sorted(official.new_provinces_of(code) - current)
        except official.UnknownUnit:
            pass
        if not known:
            raise official.UnknownUnit(f"no province with code {code!r} in the official lists")
    return legacy, current


def all_provinces() -> tuple[set[str], set[str]]:
    return ({u.code for u in official.legacy_units() if u.level == "province"},
            {u.code for u in official.current_units() if u.level == "province"})


def import_units(legacy_codes: set[str], current_codes: set[str], echo: Echo = print) -> ImportResult:
    """Add or bring in line the official units of these provinces (in the caller's transaction)."""
    result = ImportResult()
    side_of = _sides(db.session.scalars(select(Area)))
    country = _upsert(side_of, result, (COUNTRY_CODE, "country", CURRENT), name=COUNTRY_NAME, parent=None,
                      valid_from=None, valid_to=None, latitude=None, longitude=None)
    for side, units, valid_from, valid_to in (
            (LEGACY, official.legacy_units(sorted(legacy_codes)) if legacy_codes else [], None,
             official.REFORM_DATE),
            (CURRENT, official.current_units(sorted(current_codes)) if current_codes else [],
             official.REFORM_DATE, None)):
        before = result.added, result.changed
        by_code: dict[str, Area] = {}
        for level in LEVELS:
            fresh = []
            for unit in (u for u in units if u.level == level):
                parent = country if unit.parent_code is None else by_code[unit.parent_code]
                area = _upsert(side_of, result, (unit.code, level, side), name=unit.name, parent=parent,
                               valid_from=valid_from, valid_to=valid_to, latitude=unit.latitude,
                               longitude=unit.longitude, fresh=fresh)
                by_code[unit.code] = area
            _give_paths(fresh)
        counts = {level: sum(1 for u in units if u.level == level) for level in LEVELS}
        echo(f"{side} tree: {counts['province']} provinces, {counts['district']} districts, "
             f"{counts['commune']} communes — {result.added - before[0]} added, "
             f"{result.changed - before[1]} changed")
    result.successions_added = _successions(side_of, legacy_codes)
    echo(f"official successions (old → new): {result.successions_added} added")
    result.unofficial = _unofficial(side_of, legacy_codes, current_codes)
    return result


def _sides(areas: Iterable[Area]) -> dict[tuple[str, str, str], Area]:
    """(code, level, side) → area, the side being the reform's side the area belongs to."""
    found: dict[tuple[str, str, str], Area] = {}
    for area in areas:
        side = CURRENT if area.level == "country" or (area.valid_from is not None
                                                      and area.valid_from >= official.REFORM_DATE) else LEGACY
        found.setdefault((area.code, area.level, side), area)
    return found


def _upsert(side_of, result: ImportResult, key: tuple[str, str, str], *, name: str, parent: Area | None,
            valid_from: date | None, valid_to: date | None, latitude, longitude, fresh: list | None = None) -> Area:
    area = side_of.get(key)
    if area is None:
        code, level, _side = key
        area = Area(code=code, name=name, level=level, parent=parent, valid_from=valid_from, valid_to=valid_to,
                    latitude=latitude, longitude=longitude)
        if fresh is None:
            assign_path(area)
        else:
            # a placeholder until the area has its id (paths are unique); _give_paths sets the real one
            area.path = f"~{code}~{key[2]}~"
            fresh.append(area)
            db.session.add(area)
        side_of[key] = area
        result.added += 1
        return area
    wanted = {"name": name, "latitude": latitude, "longitude": longitude}
    if key[2] == LEGACY:
        # a unit created by hand before the import keeps its start; the reform ends it
        wanted["valid_to"] = valid_to
    else:
        wanted.update(valid_from=valid_from, valid_to=valid_to)
    changed = {name_: value for name_, value in wanted.items() if getattr(area, name_) != value}
    for name_, value in changed.items():
        setattr(area, name_, value)
    moved = area.parent is not parent
    if moved:
        area.parent = parent
        assign_path(area)
    if changed or moved:
        result.changed += 1
    else:
        result.unchanged += 1
    return area


def _give_paths(fresh: list[Area]) -> None:
    if not fresh:
        return
    db.session.flush()
    for area in fresh:
        area.path = f"{area.parent.path}{area.id}/"
    db.session.flush()


def _successions(side_of, legacy_codes: set[str]) -> int:
    """The official mapping of the imported legacy provinces as area_successions rows; returns rows added."""
    existing = set(db.session.execute(select(AreaSuccession.predecessor_id, AreaSuccession.successor_id)).all())
    wanted: dict[tuple[int, int], bool] = {}
    for unit in official.legacy_units(sorted(legacy_codes)) if legacy_codes else []:
        old = side_of[(unit.code, unit.level, LEGACY)]
        if unit.level == "province":
            successors = [(official.successor_province(unit.code), "province", True)]
        else:
            try:
                successors = [(s.code, "commune", s.default) for s in official.successor_communes(unit.code)]
            except official.UnknownUnit:  # a district with communes: its communes carry the mapping
                continue
        for code, level, default in successors:
            new = side_of.get((code, level, CURRENT))
            if new is not None:
                wanted[(old.id, new.id)] = default
    added = [AreaSuccession(predecessor_id=old, successor_id=new, default=default)
             for (old, new), default in wanted.items() if (old, new) not in existing]
    db.session.add_all(added)
    db.session.flush()
    return len(added)


def _unofficial(side_of, legacy_codes: set[str], current_codes: set[str]) -> list[Area]:
    """Areas under the imported provinces that the official lists do not name."""
    known = {(u.code, u.level, LEGACY) for u in official.legacy_units(sorted(legacy_codes))} if legacy_codes \
        else set()
    known |= {(u.code, u.level, CURRENT) for u in official.current_units(sorted(current_codes))} if current_codes \
        else set()
    roots = [area for key, area in side_of.items() if key in known and key[1] == "province"]
    return [area for key, area in side_of.items()
            if key not in known and key[1] != "country" and any(area.path.startswith(root.path) for root in roots)]
