"""One shape for refused input, whoever asked: forms, the API and the CLI all get field -> reason."""
from flask_babel import gettext as _
from pydantic import ValidationError


class ValidationFailed(ValueError):
    """Input refused; nothing was written. `fields` maps field names to a reason in the user's language."""

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.fields = fields
        self.message = message or _("Some fields need correcting.")
        super().__init__(f"{self.message} {fields}")


def _reason(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        # our own validators raise ValueError with an already-translated message
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_parsing", "float_type"}:
        return _("Enter a number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"string_type"}:
        return _("Enter text.")
    if kind in {"list_type"}:
        return _("Enter a list.")
    if kind in {"dict_type", "model_type"}:
        return _("Enter an object.")
    if kind in {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}:
        return _("Enter a date and time as YYYY-MM-DDTHH:MM.")
    if kind in {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}:
        return _("Enter a date as YYYY-MM-DD.")
    if kind == "greater_than_equal":
        return _("Must be at least %(limit)s.", limit=ctx.get("ge"))
    if kind == "less_than_equal":
        return _("Must be at most %(limit)s.", limit=ctx.get("le"))
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind == "string_too_long":
        return _("Too long: at most %(limit)s characters.", limit=ctx.get("max_length"))
    if kind == "too_long":
        return _("Too many items.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"literal_error", "enum"}:
        return _("Not one of the allowed values.")
    if kind == "url_parsing" or kind.startswith("url_"):
        return _("Enter a web address starting with http:// or https://.")
    return _("This value is not valid.")


def fields_from_pydantic(error: ValidationError) -> dict[str, str]:
    """Map a pydantic ValidationError to {dotted field: translated reason} (first reason per field)."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in item["loc"]) or "__all__"
        fields.setdefault(location, _reason(item))
    return fields


def validate(model, data):
    """model.model_validate(data), raising ValidationFailed instead of pydantic's error."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(fields_from_pydantic(error)) from None


def partial_model(model, name: str, doc: str):
    """`model` with every field optional (for PATCH): the same types, limits and validators, no defaults
    applied — an omitted field is simply absent from model_dump(exclude_unset=True)."""
    from copy import copy

    from pydantic import create_model

    fields = {}
    for key, info in model.model_fields.items():
        optional = copy(info)
        optional.default, optional.default_factory = None, None
        optional.json_schema_extra = _without_default(info.json_schema_extra)
        fields[key] = (info.annotation, optional)
    return create_model(name, __base__=model, __doc__=doc, **fields)


def _without_default(extra):
    """The field's own schema additions, minus "default": an absent field keeps its current value."""

    def apply(schema: dict) -> None:
        if callable(extra):
            extra(schema)
        elif extra:
            schema.update(extra)
        schema.pop("default", None)

    return apply
