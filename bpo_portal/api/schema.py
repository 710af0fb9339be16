"""The OpenAPI schema every viewset gets: the common error object documented on every operation that can answer
it, once, here, instead of on each view."""

import re

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from bpo_portal.api.exceptions import ERROR_CODES


class ErrorItemSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="1-based row of row-based input (the measurement ingest); null when the whole body is at fault.",
    )
    field = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="The field (or query parameter) at fault, dotted for nested input (`scopes.0.rate`); null when "
        "the problem is not one field's.",
    )
    code = serializers.CharField(
        help_text="What is wrong with it: `required`, `invalid`, `invalid_choice`, `null`, `does_not_exist`, "
        "`max_length`, `unknown_field`, `duplicate`, `changed`, `forbidden`, … (stable; new ones may be added)."
    )
    message = serializers.CharField(help_text="What is wrong, for a person.")


def _codes_table() -> str:
    return "\n".join(f"* `{code}` ({status}) - {meaning}" for code, (status, meaning) in ERROR_CODES.items())


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=f"Stable, machine-readable; new codes may be added:\n\n{_codes_table()}")
    detail = serializers.CharField(help_text="One sentence for a person; with `errors`, a summary of them.")
    errors = ErrorItemSerializer(
        many=True,
        required=False,
        help_text="Each problem, where a body or a query parameter was at fault. Absent otherwise.",
    )

    class Meta:
        ref_name = "Error"


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# status -> (when the operation can answer it, the description shown when the view gave none)
ERROR_RESPONSES = {
    "400": "The body or a query parameter is invalid, or the request breaks a business rule; `errors` says which.",
    "401": "No token or session, or the token is unknown or revoked.",
    "403": "You may see this but not do that (or your token does not allow it).",
    "404": "No such object, or not yours to see; for lists, a page past the last one.",
    "409": "The request conflicts with the current state (other records depend on it, or a concurrent change).",
    "413": "The body is too large.",
    "415": "The Content-Type is not accepted.",
    "429": "Too many requests; retry after the `Retry-After` header's seconds.",
}


SUCCESS_DESCRIPTIONS = {"200": "OK.", "201": "Created.", "204": "Done; there is no body."}

# An operation's summary when its view wrote none: the action, in the words of the resource it acts on.
DEFAULT_SUMMARIES = {
    "list": "{plural} you can see",
    "retrieve": "One {name}",
    "create": "Add {a} {name}",
    "update": "Replace {a} {name}",
    "partial_update": "Change some of {a} {name}'s fields",
    "destroy": "Delete {a} {name}",
}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the common error object on every operation that can answer it, and a
    summary and response descriptions on every operation."""

    def get_summary(self):
        summary = super().get_summary()
        action = getattr(self.view, "action", None)
        queryset = getattr(self.view, "queryset", None)
        if summary or action not in DEFAULT_SUMMARIES or queryset is None:
            return summary
        meta = queryset.model._meta
        name = str(meta.verbose_name)
        article = "an" if name[:1].lower() in "aeiou" else "a"
        return DEFAULT_SUMMARIES[action].format(a=article, name=name, plural=str(meta.verbose_name_plural).capitalize())

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation["responses"]
        for status, response in responses.items():
            if status in SUCCESS_DESCRIPTIONS and not response.get("description"):
                response["description"] = SUCCESS_DESCRIPTIONS[status]
        for status in self._error_statuses(operation):
            response = responses.setdefault(status, {})
            if not response.get("description"):
                response["description"] = ERROR_RESPONSES.get(status, "An error; the body says what went wrong.")
            examples = response.get("content", {}).get("application/json", {}).get("examples")
            response["content"] = {
                "application/json": {"schema": error, **({"examples": examples} if examples else {})}
            }
        return operation

    def _error_statuses(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        has_query = any(p["in"] == "query" for p in parameters)
        has_path = any(p["in"] == "path" for p in parameters)
        is_list = self.method == "GET" and self._is_list_view()
        statuses = ["401", "403", "429"]
        if self.method in WRITE_METHODS or has_query:
            statuses.append("400")
        if has_path or is_list:
            statuses.append("404")
        if self.method in WRITE_METHODS:
            statuses.append("409")
        if "requestBody" in operation or self.method in {"POST", "PUT", "PATCH"}:
            statuses += ["413", "415"]
        # Anything a view declared itself (e.g. a 400 on a body-less action) keeps the common shape too.
        statuses += [code for code in operation["responses"] if code[0] in "45" and code not in statuses]
        return sorted(statuses)


def nullable_as_json_schema(result, generator, request, public):
    """A postprocessing hook: the schema is OpenAPI 3.1, whose "may be null" is the JSON Schema type `null`.

    drf-spectacular converts the fields it maps itself, but pieces built elsewhere (DRF's pagination envelope,
    hand-written schemas) still say `nullable: true`, which a 3.1 validator ignores. Convert what is left.
    """

    def convert(node):
        if isinstance(node, dict):
            if node.pop("nullable", None) is True:
                kind = node.get("type")
                if isinstance(kind, str):
                    node["type"] = [kind, "null"]
                elif isinstance(kind, list) and "null" not in kind:
                    kind.append("null")
                elif "$ref" in node:
                    node["oneOf"] = [{"$ref": node.pop("$ref")}, {"type": "null"}]
                elif "allOf" in node and len(node["allOf"]) == 1:
                    node["oneOf"] = [node.pop("allOf")[0], {"type": "null"}]
                elif "oneOf" in node and {"type": "null"} not in node["oneOf"]:
                    node["oneOf"].append({"type": "null"})
            if {} in node.get("oneOf", []):
                # "any value, or null": null matches both branches, which oneOf forbids. Any value it is.
                del node["oneOf"]
            for value in node.values():
                convert(value)
        elif isinstance(node, list):
            for value in node:
                convert(value)

    convert(result)
    return result


# --- Examples -------------------------------------------------------------------------------------------------------

_EXAMPLE_STRINGS = {
    "date": "2026-11-02",
    "date-time": "2026-11-02T14:30:00Z",
    "email": "bea.santos@clearview.example",
    "uri": "https://portal.example/api/v1/engagements/1/",
    "uuid": "7d8f3b8e-2f4c-4a8e-9d61-3a1f0c2b9e10",
    "decimal": "90.00",
    "time": "09:30:00",
    "duration": "01:00:00",
}
_EXAMPLE_NAMES = {
    "name": "Front desk",
    "full_name": "Ana Reyes",
    "note": "Agreed on the weekly call.",
    "notes": "Agreed on the weekly call.",
    "summary": "Add billing: 600 units a month at 1.75 per unit",
    "external_id": "acd-2026-11-02-scheduling",
    "metric": "service_level",
    "service_line": "scheduling",
    "owner": "Bea Santos",
    "actions": "Two more agents at peak hours (7 to 10 am) and a daily call-back list.",
    "timezone": "America/New_York",
    "country": "US",
    "phone": "+1 555 0100",
    "website": "https://riverside-eye.example",
    "detail": "Not found.",
    "code": "not_found",
}


def example_of(schema: dict, components: dict, name: str = "", depth: int = 0, request: bool = False):
    """A plausible value for a schema: its own example, its first enum value, or one made from its type. A request
    body's example has its write-only fields; a response's has none."""
    if depth > 16:  # deeper than any resource nests: a guard against a reference cycle
        return None
    if "$ref" in schema:
        return example_of(components[schema["$ref"].rsplit("/", 1)[1]], components, name, depth + 1, request)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return example_of(options[0], components, name, depth + 1, request) if options else None
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return next((value for value in schema["enum"] if value not in ("", None)), schema["enum"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {
            key: example_of(value, components, key, depth + 1, request)
            for key, value in properties.items()
            if request or not value.get("writeOnly")
        }
    if kind == "array":
        return [example_of(schema.get("items", {}), components, name, depth + 1, request)]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1) if name != "page" else 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "decimal":
            pattern = schema.get("pattern", "")
            places = re.search(r"\\d\{0,(\d+)\}\)\?\$$", pattern)
            digits = re.search(r"^\^-\?\\d\{0,(\d+)\}", pattern)  # digits before the point (max_digits - places)
            whole = "1" if digits and int(digits.group(1)) < 2 else "10"
            return whole + "." + "0" * int(places.group(1)) if places and places.group(1) != "0" else whole
        if schema.get("format") in _EXAMPLE_STRINGS:
            return _EXAMPLE_STRINGS[schema["format"]]
        if name.endswith("_by"):
            return "Maria Lopez"
        return _EXAMPLE_NAMES.get(name, name.replace("_", " ").capitalize() if name else "text")
    return None


def add_examples(result, generator, request, public):
    """A postprocessing hook: a request and a success example on every write operation, and a success example on
    every read, made from the schema where a view did not write one by hand."""
    components = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                if "schema" in media and "example" not in media and "examples" not in media:
                    media["example"] = example_of(media["schema"], components, request=True)
            for status, response in operation["responses"].items():
                if status[0] != "2":
                    continue
                for media in response.get("content", {}).values():
                    if "schema" in media and "example" not in media and "examples" not in media:
                        media["example"] = example_of(media["schema"], components)
    return result
