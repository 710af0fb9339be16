"""The OpenAPI schema every viewset gets: the common error object documented on every operation that can answer
it, once, here, instead of on each view."""

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


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the common error object on every operation that can answer it."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation["responses"]
        for status in self._error_statuses(operation):
            response = responses.setdefault(status, {})
            if not response.get("description"):
                response["description"] = ERROR_RESPONSES.get(status, "An error; the body says what went wrong.")
            response["content"] = {"application/json": {"schema": error}}
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
