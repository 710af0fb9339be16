"""The change history (django-auditlog entries) written for people, for any page that shows who changed what.

`present(entries)` turns log entries into `HistoryGroup`s: one per save — the entries one person's action wrote
together — each listing the objects it touched with their *field labels*, *choice labels* and *names* (not raw
values and ids), dates in the portal's format, and without the fields the system sets (ordering sequences,
timestamps, the who-recorded columns that the *Who* column already says). The shared template
`includes/history_table.html` renders the groups; `csv_rows` gives the same rows for a CSV export.

Lookups are batched: one query per model for the objects' current names and one per model for the related rows
the changes name, whatever the number of entries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from bpo_portal.formatting import money, number

# Fields the system sets, never a person: they only add noise to a history.
SYSTEM_FIELDS = {"id", "sequence", "order", "sort_order", "position", "version", "created_at", "updated_at"}
# Decimal fields whose name says they hold money are shown as money; other decimals as plain numbers.
MONEY_WORDS = ("fee", "cost", "rate", "amount", "price", "delta", "credit")
# Entries this close together by the same person are one action (a service saving several rows).
SAME_ACTION = timedelta(seconds=2)
ACTIONS = {LogEntry.Action.CREATE: "added", LogEntry.Action.UPDATE: "changed", LogEntry.Action.DELETE: "removed"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ObjectChange:
    kind: str  # the model's name: "Checkpoint"
    name: str  # the object as it reads today (or as it read when removed)
    action: str  # added, changed, removed
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class HistoryGroup:
    when: datetime
    actor: object
    items: list[ObjectChange]


def present(entries) -> list[HistoryGroup]:
    entries = list(entries)
    names = _current_names(entries)
    related = _related_names(entries)
    groups: list[HistoryGroup] = []
    last_key = None
    for entry in entries:
        item = _object_change(entry, names, related)
        if item is None:
            continue
        key = (entry.cid or entry.actor_id, entry.actor_id)
        if groups and key == last_key and abs(groups[-1].when - entry.timestamp) <= SAME_ACTION:
            groups[-1].items.append(item)
        else:
            groups.append(HistoryGroup(entry.timestamp, entry.actor, [item]))
        last_key = key
    return groups


def csv_rows(groups: list[HistoryGroup]):
    """One row per field change (or per added/removed object): when, who, what, field, before, after."""
    from engagements.models.people import display_name

    yield ["When", "Who", "What", "Action", "Field", "Before", "After"]
    for group in groups:
        when = timezone.localtime(group.when).strftime("%Y-%m-%d %H:%M:%S")
        who = display_name(group.actor, "system")
        for item in group.items:
            what = f"{item.kind}: {item.name}"
            if not item.changes:
                yield [when, who, what, item.action, "", "", ""]
            for change in item.changes:
                yield [when, who, what, item.action, change.label, change.before, change.after]


# --- one entry -------------------------------------------------------------------------------------------------------


def _object_change(entry, names, related) -> ObjectChange | None:
    model = entry.content_type.model_class()
    kind = capfirst(str(model._meta.verbose_name)) if model else entry.content_type.name
    name = names.get((entry.content_type_id, str(entry.object_id)), entry.object_repr)
    action = ACTIONS.get(entry.action, "changed")
    if model is None or entry.action != LogEntry.Action.UPDATE:
        return ObjectChange(kind, name, action)
    changes = []
    for field_name, (before, after) in (entry.changes_dict or {}).items():
        model_field = _shown_field(model, field_name)
        if model_field is None:
            continue
        before, after = (_display(model_field, value, related) for value in (before, after))
        if before != after:
            changes.append(FieldChange(capfirst(str(model_field.verbose_name)), before, after))
    if not changes:
        return None  # only system fields moved (a sequence renumbered): nothing a person did
    return ObjectChange(kind, name, action, changes)


def _shown_field(model, name):
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not model_field.concrete or name in SYSTEM_FIELDS or getattr(model_field, "auto_now", False):
        return None
    if model_field.is_relation and model_field.related_model is get_user_model():
        return None  # who recorded or decided it: the Who column says
    if name.endswith("_hash"):
        return None
    return model_field


def _display(model_field, value, related) -> str:
    if value in (None, "None", ""):
        return "—"
    if model_field.is_relation:
        return related.get((model_field.related_model, str(value)), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DecimalField):
        is_money = any(word in model_field.name for word in MONEY_WORDS)
        return money(value) if is_money else number(value)
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value in (True, "True", "true", "1") else "No"
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, UTC)
            return formats.date_format(timezone.localtime(moment), "j M Y H:i")
    if isinstance(model_field, models.DateField):
        day = parse_date(str(value)[:10])
        if isinstance(day, date):
            return formats.date_format(day, "j M Y")
    return str(value)


# --- batched lookups -------------------------------------------------------------------------------------------------


def _current_names(entries) -> dict:
    """Each logged object's name today, so "Checkpoint 0" saved before its number was set reads as it does now."""
    wanted = defaultdict(set)
    for entry in entries:
        wanted[entry.content_type].add(entry.object_id)
    names = {}
    for content_type, ids in wanted.items():
        model = content_type.model_class()
        if model is None:
            continue
        for pk, obj in model._default_manager.in_bulk([pk for pk in ids if pk is not None]).items():
            names[(content_type.pk, str(pk))] = str(obj)
    return names


def _related_names(entries) -> dict:
    """The names of the rows that changed foreign keys point at, one query per related model."""
    wanted = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None or entry.action != LogEntry.Action.UPDATE:
            continue
        for field_name, values in (entry.changes_dict or {}).items():
            model_field = _shown_field(model, field_name)
            if model_field is not None and model_field.is_relation:
                wanted[model_field.related_model].update(v for v in values if v not in (None, "None", ""))
    names = {}
    for model, ids in wanted.items():
        valid = [pk for pk in ids if str(pk).isdigit()]
        for pk, obj in model._default_manager.in_bulk(valid).items():
            names[(model, str(pk))] = str(obj)
    return names
