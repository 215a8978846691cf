"""The JSON API's plumbing: blueprint, token auth, JSON errors, pagination, and the OpenAPI registry.

Endpoints live in one module per feature (api/events.py, api/places.py, …) and describe themselves with
@documented, giving the pydantic models that validate their bodies: openapi.json is built from those very
models, so the document cannot drift from what is enforced.
"""
import re
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from ..accounts.operations import user_for_token
from ..bounds import INT32_MAX
from ..extensions import csrf
from ..validation import ValidationFailed, validate
from ..web import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
#: the furthest a list may be paged (a larger offset would overflow the database's integer)
MAX_OFFSET = 100_000
#: largest request body accepted, in bytes (the longest text field is 20,000 characters)
MAX_BODY = 1024 * 1024
API_USER_KEY = "calendar_app.api_user"
PAGING_BOUNDS = {"offset": (0, MAX_OFFSET), "limit": (1, MAX_LIMIT)}


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "fields"}}."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.fields)


@bp.errorhandler(ValidationFailed)
def _validation_failed(error: ValidationFailed):
    return error_response(422, "validation_failed", error.message, error.fields)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return http_error_response(error)


def http_error_response(error: HTTPException):
    """An HTTP error as JSON; also used by the app's handler for /api/ URLs that match no route."""
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited",
             500: "server_error"}
    messages = {400: _("The request is malformed."), 401: _("A valid API token is required."),
                403: _("This token may not do that."), 404: _("Not found."),
                405: _("This method is not allowed here."), 409: _("The record changed since you read it."),
                413: _("The request body is too large."), 429: _("Too many requests: please wait a moment."),
                500: _("Something went wrong on our side.")}
    status = error.code or 500
    return error_response(status, codes.get(status, "error"), messages.get(status, error.description or ""))


@bp.after_request
def _public_reads_cross_site(response):
    """Public reads may be fetched by any site's script; nothing sent with a token (staff data) and no write.
    Browsers send no credentials to `*`, and a script that sets Authorization gets no preflight answer."""
    if request.method in ("GET", "HEAD") and "Authorization" not in request.headers and response.status_code != 401:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


@bp.before_request
def _bound_body():
    # a JSON body is parsed whole before it is validated: refuse huge ones before reading them
    request.max_content_length = MAX_BODY


def api_user(required: bool = True):
    """The user behind `Authorization: Bearer <token>`; 401 when required and missing or invalid."""
    # cached on the request, not on `g`: an app context (and its `g`) can outlive one request
    if API_USER_KEY not in request.environ:
        header = request.headers.get("Authorization", "")
        scheme, _sep, secret = header.partition(" ")
        user = user_for_token(secret.strip()) if scheme.lower() == "bearer" and secret else None
        if header and user is None:
            raise ApiError(401, "unauthorized", _("The API token is not valid or has been revoked."))
        request.environ[API_USER_KEY] = user
    user = request.environ[API_USER_KEY]
    if required and user is None:
        raise ApiError(401, "unauthorized", _("A valid API token is required."))
    return user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        api_user(required=True)
        return view(*args, **kwargs)

    return wrapper


def json_body() -> dict:
    """The request's JSON object, or a 400 for anything else."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", _("The body must be a JSON object."))
    return data


def parse(model: type[BaseModel], data: dict | None = None) -> BaseModel:
    """Validate the body (or `data`) with a pydantic model; 422 with per-field reasons when refused."""
    return validate(model, json_body() if data is None else data)


def page_window() -> tuple[int, int]:
    """(offset, limit) from ?offset=&limit=; 400 unless whole numbers within PAGING_BOUNDS."""
    values, errors = {}, {}
    for name, default in (("offset", 0), ("limit", DEFAULT_LIMIT)):
        text = request.args.get(name, "").strip()
        low, high = PAGING_BOUNDS[name]
        if not text:
            values[name] = default
        # ASCII digits only (no sign, no "1_000"), and never a huge number to parse
        elif not (text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high):
            errors[name] = _("Enter a whole number between %(low)s and %(high)s.", low=low, high=high)
        else:
            values[name] = int(text)
    if errors:
        raise ApiError(400, "bad_query", _("offset and limit must be whole numbers within their bounds."), errors)
    return values["offset"], values["limit"]


def page(items: list, has_more: bool, offset: int, limit: int) -> dict:
    """{"items": [...], "next": url or null}; `items` are already serialised."""
    next_url = None
    if has_more:
        args = {**request.args.to_dict(), "offset": offset + limit, "limit": limit}
        next_url = url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)
    return {"items": items, "next": next_url}


# --- OpenAPI -------------------------------------------------------------------------------------------


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    tag: str
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    query: dict[str, str] = field(default_factory=dict)
    auth: bool = False
    statuses: tuple[int, ...] = ()
    #: the multipart field of an uploaded file, for an endpoint that takes one instead of JSON
    upload: str | None = None


OPERATIONS: list[Operation] = []


def documented(path: str, method: str, summary: str, *, tag: str, request_model=None, response_model=None,
               query: dict[str, str] | None = None, auth: bool = False, statuses: tuple[int, ...] = (),
               upload: str | None = None):
    """Register an endpoint in the OpenAPI document (path in OpenAPI form: /events/{id})."""
    OPERATIONS.append(Operation(path, method.lower(), summary, tag, request_model, response_model,
                                query or {}, auth, statuses, upload))

    def decorator(view):
        return view

    return decorator


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}},
}


def openapi_document() -> dict:
    schemas: dict[str, dict] = {"Error": ERROR_SCHEMA}

    def ref(model):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, dict] = {}
    path_types = {path: types for (path, _method), types in route_paths().items()}
    limited = rate_limited_routes()
    for op in OPERATIONS:
        entry: dict = {"summary": op.summary, "tags": [op.tag], "responses": {}}
        types = path_types.get(op.path, {})
        parameters = [{"name": name, "in": "path", "required": True, "schema": _path_schema(types.get(name))}
                      for name in _path_names(op.path)]
        parameters += [{"name": name, "in": "query", "required": False, "description": text,
                        "schema": query_schema(name)} for name, text in op.query.items()]
        if parameters:
            entry["parameters"] = parameters
        if op.request is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(op.request)}}}
        elif op.upload is not None:
            upload = {"type": "object", "required": [op.upload],
                      "properties": {op.upload: {"type": "string", "format": "binary"}}}
            entry["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": upload}}}
        ok = {"description": "OK"}
        if op.response is not None:
            ok["content"] = {"application/json": {"schema": ref(op.response)}}
        entry["responses"]["201" if op.method == "post" else "200"] = ok
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for status in sorted({400, 404, *op.statuses, *((401, 403) if op.auth else ()),
                              *((422,) if op.request is not None else ()),
                              *((429,) if (op.path, op.method) in limited else ())}):
            entry["responses"][str(status)] = {"description": "Error", **error}
        if op.auth:
            entry["security"] = [{"bearer": []}]
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Lifelong-learning activity calendar API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def query_schema(name: str) -> dict:
    """The JSON schema of a query parameter: its format and the bounds the endpoints enforce."""
    from ..bounds import FIRST_DAY, LAST_DAY
    from ..events.filters import MAX_QUERY_LENGTH
    from ..years import EARLIEST_YEAR, LATEST_YEAR

    day = {"type": "string", "format": "date",
           "description": f"YYYY-MM-DD, from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"}
    return {
        "from": day, "to": day,
        "offset": {"type": "integer", "minimum": PAGING_BOUNDS["offset"][0], "maximum": PAGING_BOUNDS["offset"][1],
                   "default": 0},
        "limit": {"type": "integer", "minimum": PAGING_BOUNDS["limit"][0], "maximum": PAGING_BOUNDS["limit"][1],
                  "default": DEFAULT_LIMIT},
        "q": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        "year": {"type": "integer", "minimum": EARLIEST_YEAR, "maximum": LATEST_YEAR},
    }.get(name, {"type": "string"})


def _path_schema(kind: str | None) -> dict:
    if kind == "integer":  # the bounded <int:…> converter of guard.py: an id column
        return {"type": "integer", "minimum": 0, "maximum": INT32_MAX}
    return {"type": kind or "string"}


def rate_limited_routes() -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route of this blueprint that carries a rate limit (429)."""
    from flask_limiter.util import get_qualified_name

    from ..extensions import limiter

    routes = set()
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != bp.name:
            continue
        view = current_app.view_functions[rule.endpoint]
        limits = limiter.limit_manager.decorated_limits(get_qualified_name(view))
        path = _RULE_VARIABLE.sub(lambda m: "{" + m.group(2) + "}", rule.rule[len(bp.url_prefix):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if any(not limit.methods or method.lower() in limit.methods for limit in limits):
                routes.add((path, method.lower()))
    return routes


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


_RULE_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_CONVERTER_TYPES = {"int": "integer", "float": "number"}


def route_paths() -> dict[tuple[str, str], dict[str, str]]:
    """{(OpenAPI path, method): {path parameter: JSON type}} for every route of this blueprint."""
    routes = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != bp.name:
            continue
        path = _RULE_VARIABLE.sub(lambda m: "{" + m.group(2) + "}", rule.rule[len(bp.url_prefix):])
        types = {m.group(2): _CONVERTER_TYPES.get(m.group(1) or "", "string")
                 for m in _RULE_VARIABLE.finditer(rule.rule)}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[(path, method.lower())] = types
    return routes


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())
