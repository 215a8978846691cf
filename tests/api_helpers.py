"""A small province with one user per role for the API tests, and a client wrapper that sends tokens."""
import json

import pytest
from sqlalchemy import func, select

from calendar_app.accounts.models import ApiToken
from calendar_app.clock import utcnow
from calendar_app.extensions import db as db_
from calendar_app.models import Activity, ActivityObservance, Area, AuditEntry, Institution, Occurrence, User
from tests import factories as f

#: the rows a refused write must not change
WATCHED = (Area, Institution, Activity, Occurrence, ActivityObservance, AuditEntry)


class Api:
    """`api.post("/events", json=..., as_="editor")` against /api/v1 with that user's bearer token."""

    def __init__(self, client, tokens: dict[str, str]):
        self.client, self.tokens = client, tokens

    def request(self, method: str, path: str, as_: str | None = None, json_body=None, raw: str | None = None,
                **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        elif json_body is not None:
            kwargs["json"] = json_body
        url = path if path.startswith("http") else f"/api/v1{path}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, path, as_=None, **kwargs):
        return self.request("GET", path, as_, **kwargs)

    def post(self, path, body=None, as_=None, **kwargs):
        return self.request("POST", path, as_, body, **kwargs)

    def patch(self, path, body=None, as_=None, **kwargs):
        return self.request("PATCH", path, as_, body, **kwargs)

    def put(self, path, body=None, as_=None, **kwargs):
        return self.request("PUT", path, as_, body, **kwargs)


def counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in WATCHED}


def snapshot(db) -> str:
    """Every watched row's columns: equal snapshots mean nothing was written."""
    db.session.expire_all()
    rows = {}
    for model in WATCHED:
        table = model.__table__
        rows[model.__name__] = sorted(
            json.dumps(dict(row._mapping), default=str, sort_keys=True)
            for row in db.session.execute(select(table)))
    return json.dumps(rows)


def _token_user(email: str, role: str, **scope) -> User:
    """A user who only ever calls the API (no password: hashing one per test would dominate the run)."""
    user = User(email=email, role=role, password_hash="!", **scope)
    db_.session.add(user)
    return user


@pytest.fixture()
def world(db):
    """Province 25 with districts 227 (library, editor, officer) and 230 (museum, its editor, officer)."""
    province = f.area("25", "Phú Thọ", "province")
    viet_tri = f.area("227", "Việt Trì", parent=province)
    doan_hung = f.area("230", "Đoan Hùng", parent=province)
    commune = f.area("07900", "Gia Cẩm", "commune", parent=viet_tri)
    lib = f.institution("thu-vien-viet-tri", viet_tri, name="Thư viện Việt Trì")
    nvh = f.institution("nvh-gia-cam", commune, "culture_centre_commune", name="Nhà văn hóa Gia Cẩm")
    museum = f.institution("bao-tang-doan-hung", doan_hung, "museum", name="Bảo tàng Đoan Hùng")
    users = {
        "admin": _token_user("admin@example.org", "admin"),
        "officer": _token_user("officer@example.org", "officer", area=viet_tri),
        "officer_out": _token_user("officer2@example.org", "officer", area=doan_hung),
        "editor": _token_user("editor@example.org", "editor", institution=lib),
        "editor_out": _token_user("editor2@example.org", "editor", institution=museum),
        "revoked": _token_user("gone@example.org", "editor", institution=lib),
    }
    tokens = {}
    for name, user in users.items():
        token, tokens[name] = ApiToken.issue(user, "test")
        db.session.add(token)
        if name == "revoked":
            token.revoked_at = utcnow()
    db.session.commit()
    return {"lib": lib, "nvh": nvh, "museum": museum, "province": province, "viet_tri": viet_tri,
            "doan_hung": doan_hung, "commune": commune, "users": users, "tokens": tokens}


@pytest.fixture()
def api(client, world):
    return Api(client, world["tokens"])
