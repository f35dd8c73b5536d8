"""``/api/docs``: the JSON API's reference, rendered on the server from the OpenAPI document.

The app runs where there may be no internet and its Content-Security-Policy allows only its own
scripts, so FastAPI's Swagger UI (scripts from a CDN, and an inline one) cannot work. This page
lists every operation from ``/api/openapi.json``: method, path, what it does, its parameters,
its JSON body and answer with their fields, plus how to authenticate and what errors look like.
It needs no JavaScript and no sign-in (the document holds no data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crisis.web.context import Ctx
from crisis.web.render import page
from crisis.web.security import optional_user

router = APIRouter()
METHODS = ("get", "post", "put", "patch", "delete")
HIDDEN_PARAMETERS = {"x-csrf-token"}  # explained once, under authentication


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field]
    body: str | None  # the request body's schema name
    answer: str | None  # the 2xx answer's schema name
    status: str


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, ctx: Ctx) -> HTMLResponse:
    from crisis.web.errors import STATUS  # the app module imports this one

    spec = request.app.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    operations: dict[str, list[Operation]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = _operation(method, path, item[method])
                operations.setdefault((item[method].get("tags") or ["api"])[0], []).append(op)
    used = sorted(schemas)
    return page(
        request, None, optional_user(request, ctx), "api_docs.html.j2",
        {"info": spec.get("info", {}), "operations": operations,
         "schemas": {name: _fields(schemas[name]) for name in used},
         "schema_docs": {name: schemas[name].get("description", "") for name in used},
         "statuses": [(code, kind.__name__) for kind, code in STATUS]},
    )  # fmt: skip


def _operation(method: str, path: str, op: dict[str, Any]) -> Operation:
    parameters = [
        Field(p["name"] + f" ({p.get('in', '')})", _type(p.get("schema", {})),
              bool(p.get("required")), p.get("description", ""))
        for p in op.get("parameters", [])
        if p.get("name", "").lower() not in HIDDEN_PARAMETERS
    ]  # fmt: skip
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    status, answer = "200", None
    for code, response in sorted(op.get("responses", {}).items()):
        if code.startswith("2"):
            status = code
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            answer = _type(schema) if schema else None
            break
    return Operation(
        method=method.upper(), path=path, anchor=op.get("operationId", f"{method}{path}"),
        summary=op.get("summary", ""), description=op.get("description", ""),
        parameters=parameters, body=_type(body) if body else None, answer=answer, status=status,
    )  # fmt: skip


def _fields(schema: dict[str, Any]) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(name, _type(prop), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]


def _type(schema: dict[str, Any]) -> str:
    """A schema in a few words: ``integer``, ``ItemOut``, ``list of string``, ``string | null``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rpartition("/")[2]
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return " | ".join(_type(part) for part in schema[combined])
    if "enum" in schema:
        return " | ".join(repr(value) for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    extra = schema.get("additionalProperties")
    if kind == "object" and isinstance(extra, dict):
        return f"object of {_type(extra)}"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "Every refusal: the message in words and the kind of error; a refused "
    "state change (409) also says the state it is in now (a colleague's decision won).",
    "properties": {
        "error": {"type": "string"},
        "kind": {"type": "string"},
        "state": {"type": "string"},
    },
    "required": ["error", "kind"],
}


def describe_errors_and_auth(spec: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI cannot know: how to authenticate, and that errors are ``{"error", "kind"}``
    (validation errors too: the app answers them in the same shape, not FastAPI's)."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {
        "token": {"type": "http", "scheme": "bearer",
                  "description": "An API token (crisis users token NAME --label ...)."},
    }  # fmt: skip
    spec["security"] = [{"token": []}]
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for item in spec.get("paths", {}).values():
        for method in METHODS:
            if method in item:
                responses = item[method].setdefault("responses", {})
                responses["422"] = {"description": "Refused input", **error}
                responses.setdefault("401", {"description": "Not signed in", **error})
                responses.setdefault("403", {"description": "Not allowed", **error})
    return spec
