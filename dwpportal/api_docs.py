"""The API documentation page: the portal's OpenAPI schema (drf-spectacular) read on the server
and shown as an ordinary GOV.UK page, so it has the portal's colours, landmarks and keyboard use.
The machine-readable schema stays at /api/schema/."""

import functools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    body: str


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    request_body: str
    responses: list[Response]


@dataclass
class Section:
    anchor: str
    title: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class SchemaField:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Component:
    anchor: str
    name: str
    description: str
    fields: list[SchemaField]


def _type_of(schema: dict[str, Any]) -> str:
    """A short, readable type: "string (date)", "array of Payment", "one of: a, b"."""
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            parts = [_type_of(part) for part in schema[combined]]
            joined = " or ".join(part for part in parts if part)
            return joined + (" or null" if schema.get("nullable") else "")
    kind = str(schema.get("type", "object"))
    if kind == "array":
        kind = f"array of {_type_of(schema.get('items', {}))}"
    elif "format" in schema:
        kind = f"{kind} ({schema['format']})"
    if "enum" in schema:
        kind = f"{kind}, one of: {', '.join(str(v) for v in schema['enum'] if v is not None)}"
    if schema.get("nullable"):
        kind = f"{kind} or null"
    return kind


def _body_type(content: dict[str, Any]) -> str:
    for media_type, body in content.items():
        return f"{_type_of(body.get('schema', {}))} ({media_type})"
    return ""


def _operation(path: str, method: str, spec: dict[str, Any]) -> Operation:
    parameters = [
        Parameter(
            name=str(p.get("name", "")),
            location=str(p.get("in", "")),
            required=bool(p.get("required", False)),
            type=_type_of(p.get("schema", {})),
            description=str(p.get("description", "")),
        )
        for p in spec.get("parameters", [])
    ]
    responses = [
        Response(
            status=str(status),
            description=str(answer.get("description", "")),
            body=_body_type(answer.get("content", {})),
        )
        for status, answer in sorted(spec.get("responses", {}).items())
    ]
    return Operation(
        anchor=slugify(f"{method}-{spec.get('operationId', path)}"),
        method=method.upper(),
        path=path,
        summary=str(spec.get("summary", "")),
        description=str(spec.get("description", "")),
        parameters=parameters,
        request_body=_body_type(spec.get("requestBody", {}).get("content", {})),
        responses=responses,
    )


def api_reference(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema arranged for the page: operations grouped by tag, then the data schemas."""
    sections: dict[str, Section] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            spec = item[method]
            tag = str((spec.get("tags") or ["other"])[0])
            section = sections.setdefault(tag, Section(anchor=f"tag-{slugify(tag)}", title=tag))
            section.operations.append(_operation(path, method, spec))
    components = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        components.append(
            Component(
                anchor=f"schema-{slugify(name)}",
                name=name,
                description=str(spec.get("description", "")),
                fields=[
                    SchemaField(
                        name=field_name,
                        type=_type_of(field_spec),
                        required=field_name in required,
                        description=str(field_spec.get("description", "")),
                    )
                    for field_name, field_spec in spec.get("properties", {}).items()
                ],
            )
        )
    info = schema.get("info", {})
    return {
        "title": info.get("title", ""),
        "version": info.get("version", ""),
        "description": info.get("description", ""),
        "sections": sorted(sections.values(), key=lambda s: s.title),
        "components": components,
    }


@functools.cache
def _reference() -> dict[str, Any]:
    # The whole public schema, the same for every colleague: built once per process.
    return api_reference(SchemaGenerator().get_schema(request=None, public=True))


@login_required
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"api": _reference()})
