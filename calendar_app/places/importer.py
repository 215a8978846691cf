"""Loading the official administrative units (places/official.py) into the area tree, idempotently.

The legacy tree (63 provinces → districts → communes) is valid until 30 June 2025 (`valid_to` 1 July
2025, exclusive), the current one (34 provinces → communes) from 1 July 2025; both hang under the country
(level `country`, code VN), and the official old → new mapping becomes `area_successions`.

An existing area is the official unit with the same code and level on the same side of the reform (the
legacy side: valid before 1 July 2025); its name, parent, coordinates and end of validity are brought in
line, and a unit that was still open is closed on the reform's day. Areas that are not in the official
lists (added by hand) are left as they are. A second run changes nothing.

The whole country is about 14,000 units and 10,000 successions: they are written with plain INSERT and
UPDATE statements (executemany), not one ORM object each, and the areas written are noted on the session
so the usual `place_changed` signal still follows the commit.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..written import note_written_areas
from . import official
from .models import Area, AreaSuccession

COUNTRY_CODE = "VN"
COUNTRY_NAME = "Việt Nam"
LEGACY, CURRENT = "legacy", "current"
LEVELS = ("province", "district", "commune")
#: the columns brought in line with the official lists
KEPT = ("name", "latitude", "longitude", "valid_from", "valid_to")

Echo = Callable[[str], None]
Key = tuple[str, str, str]


@dataclass
class Unit:
    """An area as the importer sees it: its row's values, without the ORM's bookkeeping."""

    id: int | None
    code: str
    level: str
    name: str
    parent_id: int | None
    path: str
    valid_from: date | None
    valid_to: date | None
    latitude: float | None
    longitude: float | None


@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    successions_added: int = 0
    #: areas with an official code that the lists do not hold (left as they are)
    unofficial: list[Unit] = field(default_factory=list)

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


class _Importer:
    def __init__(self, session: Session, echo: Echo):
        self.session, self.echo = session, echo
        self.result = ImportResult()
        columns = [getattr(Area, name) for name in Unit.__dataclass_fields__]
        self.units = [Unit(*row) for row in session.execute(select(*columns))]
        self.by_key: dict[Key, Unit] = {}
        for unit in self.units:
            self.by_key.setdefault((unit.code, unit.level, _side(unit)), unit)
        self.by_id = {unit.id: unit for unit in self.units}
        self.written: set[int] = set()

    def run(self, legacy_codes: set[str], current_codes: set[str]) -> ImportResult:
        country = self._level([(COUNTRY_CODE, "country", COUNTRY_NAME, None, None, None)], CURRENT, None, None)[0]
        for side, units, valid_from, valid_to in (
                (LEGACY, official.legacy_units(sorted(legacy_codes)) if legacy_codes else [], None,
                 official.REFORM_DATE),
                (CURRENT, official.current_units(sorted(current_codes)) if current_codes else [],
                 official.REFORM_DATE, None)):
            before = self.result.added, self.result.changed
            by_code: dict[str, Unit] = {}
            for level in LEVELS:
                official_units = [u for u in units if u.level == level]
                rows = [(u.code, level, u.name, country if u.parent_code is None else by_code[u.parent_code],
                         u.latitude, u.longitude) for u in official_units]
                for unit in self._level(rows, side, valid_from, valid_to):
                    by_code[unit.code] = unit
            counts = {level: sum(1 for u in units if u.level == level) for level in LEVELS}
            self.echo(f"{side} tree: {counts['province']} provinces, {counts['district']} districts, "
                      f"{counts['commune']} communes — {self.result.added - before[0]} added, "
                      f"{self.result.changed - before[1]} changed")
        self.result.successions_added = self._successions(legacy_codes)
        self.echo(f"official successions (old → new): {self.result.successions_added} added")
        self.result.unofficial = self._unofficial(legacy_codes, current_codes)
        note_written_areas(self.session, self.written)
        return self.result

    def _level(self, rows, side: str, valid_from: date | None, valid_to: date | None) -> list[Unit]:
        """Add or bring in line one level of units (all parents already written); returns them in order."""
        found, fresh, changes = [], [], []
        for code, level, name, parent, latitude, longitude in rows:
            unit = self.by_key.get((code, level, side))
            parent_id = parent.id if parent is not None else None
            if unit is None:
                unit = Unit(None, code, level, name, parent_id, f"~{code}~{level}~{side}~", valid_from, valid_to,
                            latitude, longitude)
                fresh.append(unit)
                self.by_key[(code, level, side)] = unit
            else:
                # a unit created by hand before the import keeps its start; the reform ends a legacy one
                wanted = {"name": name, "latitude": latitude, "longitude": longitude, "valid_to": valid_to}
                if side == CURRENT:
                    wanted["valid_from"] = valid_from
                changed = {column: value for column, value in wanted.items() if getattr(unit, column) != value}
                if unit.parent_id != parent_id:
                    changed["parent_id"] = parent_id
                    self._repath(unit, parent)
                if changed:
                    for column, value in changed.items():
                        setattr(unit, column, value)
                    changes.append(unit)
                    self.result.changed += 1
                else:
                    self.result.unchanged += 1
            found.append(unit)
        if fresh:
            self._insert(fresh)
        if changes:
            table = Area.__table__
            self.session.execute(update(table).where(table.c.id == bindparam("unit_id")).values(
                {column: bindparam(column) for column in (*KEPT, "parent_id")}), [
                {"unit_id": unit.id, **{column: getattr(unit, column) for column in (*KEPT, "parent_id")}}
                for unit in changes])
            self.written |= {unit.id for unit in changes}
        return found

    def _repath(self, unit: Unit, parent: Unit | None) -> None:
        """An area created by hand under another parent (rare): it and its subtree take the new path."""
        old, new = unit.path, f"{parent.path if parent else '/'}{unit.id}/"
        table = Area.__table__
        self.session.execute(update(table).where(table.c.path.startswith(old, autoescape=True)).values(
            path=literal(new, String) + func.substr(table.c.path, len(old) + 1)))
        for other in self.units:
            if other.path.startswith(old):
                other.path = new + other.path[len(old):]
                self.written.add(other.id)

    def _insert(self, fresh: list[Unit]) -> None:
        """INSERT the new units (with a placeholder path, paths being unique), then give them their paths."""
        table = Area.__table__
        ids = self.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{"code": u.code, "name": u.name, "level": u.level, "parent_id": u.parent_id, "path": u.path,
              "valid_from": u.valid_from, "valid_to": u.valid_to, "latitude": u.latitude, "longitude": u.longitude}
             for u in fresh]).scalars().all()
        for unit, area_id in zip(fresh, ids, strict=True):
            unit.id = area_id
            parent_path = self.by_id[unit.parent_id].path if unit.parent_id is not None else "/"
            unit.path = f"{parent_path}{area_id}/"
            self.by_id[area_id] = unit
            self.units.append(unit)
        self.session.execute(update(table).where(table.c.id == bindparam("unit_id")).values(path=bindparam("new_path")),
                             [{"unit_id": unit.id, "new_path": unit.path} for unit in fresh])
        self.written |= set(ids)
        self.result.added += len(fresh)

    def _successions(self, legacy_codes: set[str]) -> int:
        """The official mapping of the imported legacy provinces as area_successions rows; returns rows added."""
        existing = set(self.session.execute(select(AreaSuccession.predecessor_id, AreaSuccession.successor_id)))
        wanted: dict[tuple[int, int], bool] = {}
        for unit in official.legacy_units(sorted(legacy_codes)) if legacy_codes else []:
            old = self.by_key[(unit.code, unit.level, LEGACY)]
            if unit.level == "province":
                successors = [(official.successor_province(unit.code), "province", True)]
            else:
                try:
                    successors = [(s.code, "commune", s.default) for s in official.successor_communes(unit.code)]
                except official.UnknownUnit:  # a district with communes: its communes carry the mapping
                    continue
            for code, level, default in successors:
                new = self.by_key.get((code, level, CURRENT))
                if new is not None:
                    wanted[(old.id, new.id)] = default
        added = [{"predecessor_id": old, "successor_id": new, "default": default}
                 for (old, new), default in wanted.items() if (old, new) not in existing]
        if added:
            self.session.execute(insert(AreaSuccession.__table__), added)
        return len(added)

    def _unofficial(self, legacy_codes: set[str], current_codes: set[str]) -> list[Unit]:
        """Areas under the imported provinces that the official lists do not name."""
        known = {(u.code, u.level, LEGACY) for u in official.legacy_units(sorted(legacy_codes))} if legacy_codes \
            else set()
        known |= {(u.code, u.level, CURRENT) for u in official.current_units(sorted(current_codes))} \
            if current_codes else set()
        roots = tuple(unit.path for key, unit in self.by_key.items() if key in known and key[1] == "province")
        return [unit for unit in self.units if unit.level != "country" and unit.path.startswith(roots)
                and (unit.code, unit.level, _side(unit)) not in known]


def _side(unit: Unit) -> str:
    """The side of the reform a unit belongs to: the country and units valid from the reform are current."""
    current = unit.level == "country" or (unit.valid_from is not None and unit.valid_from >= official.REFORM_DATE)
    return CURRENT if current else LEGACY


def import_units(legacy_codes: set[str], current_codes: set[str], echo: Echo = print) -> ImportResult:
    """Add or bring in line the official units of these provinces (in the caller's transaction)."""
    db.session.flush()
    result = _Importer(db.session, echo).run(legacy_codes, current_codes)
    db.session.expire_all()  # ORM objects loaded before see what the statements wrote
    return result
