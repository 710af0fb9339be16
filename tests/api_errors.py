"""Reading the API's error object in tests: `field_errors(response)` gives {field: [messages]}, the problems by
field (`"detail"` for those of no one field), as DRF's own error bodies used to look."""


def field_errors(response) -> dict[str, list[str]]:
    body = response.json()
    assert set(body) >= {"code", "detail"}, body
    problems: dict[str, list[str]] = {}
    for error in body.get("errors", []):
        problems.setdefault(error.get("field") or "detail", []).append(error["message"])
    return problems
