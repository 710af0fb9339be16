"""The one CSV writer. Every CSV the portal writes — UI exports and API `text/csv` responses — goes through it.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a carriage return) as
a formula, so a provider's manager who names a certification `=HYPERLINK(...)` would otherwise run it on the
machine of whichever practice exports the list (OWASP "CSV injection"). Such a cell is written with a leading
single quote, which spreadsheets show as text. Numbers stay numbers: an int, a Decimal, or text that is nothing
but a number (a negative amount, `-12.50`) is written as it is, because it cannot be a formula.
"""

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django_tables2.export import ExportMixin as TablesExportMixin
from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value):
    """The value as a spreadsheet will read it as data, never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` with every cell passed through `safe_cell`."""

    def __init__(self, file):
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(filename: str, rows: Iterable[Iterable]) -> HttpResponse:
    """A downloadable CSV of `rows` (the first one being the header)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    SafeWriter(response).writerows(rows)
    return response


class ExportMixin(TablesExportMixin):
    """django-tables2's `?_export=csv`, written by the one safe writer instead of tablib."""

    export_formats = ("csv",)

    def create_export(self, export_format):
        table = self.get_table(**self.get_table_kwargs())
        rows = table.as_values(exclude_columns=self.exclude_columns)
        return csv_response(self.get_export_filename("csv"), rows)

    def render_to_response(self, context, **kwargs):
        # Only CSV, and only through the safe writer: tablib's other formats (xlsx, ods…) would skip it.
        if self.request.GET.get(self.export_trigger_param) == "csv":
            return self.create_export("csv")
        return super(TablesExportMixin, self).render_to_response(context, **kwargs)


class SafeCSVRenderer(BaseRenderer):
    """The API's `text/csv`: `data` is a list of dicts (or a page of them under `results`), one row each."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if isinstance(data, dict):
            data = [data]
        data = list(data or [])
        header = list(data[0].keys()) if data else []
        buffer = io.StringIO()
        writer = SafeWriter(buffer)
        writer.writerow(header)
        writer.writerows([row.get(name) for name in header] for row in data)
        return buffer.getvalue().encode(self.charset)
