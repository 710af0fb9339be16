"""Serializer fields shared by every app's API, with the OpenAPI schema each one really produces."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers


class SummaryRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key written as a primary key and read as a short nested summary, NetBox style.

    `{"practice": 3}` goes in; `{"practice": {"id": 3, "url": "…", "name": "Riverside Eye Care"}}` comes out.
    """

    def __init__(self, serializer, **kwargs):
        self.summary_serializer = serializer
        super().__init__(**kwargs)
        noun = serializer.Meta.model._meta.verbose_name
        self.error_messages["does_not_exist"] = f"There is no {noun} with id {{pk_value}} that you can choose."

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, value):
        return self.summary_serializer(value, context=self.context).data

    def get_choices(self, cutoff=None):
        # The browsable API keys its <select> by the representation, which is a dict here: key by pk instead.
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}


class EnumChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum component (`EngagementStatusEnum`), wherever it is used.

    drf-spectacular names inline enums after the field; a field name like `status` that carries different
    choice sets in several serializers would otherwise get an unstable, hash-suffixed name.
    """

    def __init__(self, choices_class, **kwargs):
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)

    def to_representation(self, value):
        if value == "" and self.allow_null:
            return None  # a blank stored choice ("no status before this one") reads as null
        return super().to_representation(value)


class SummaryRelatedFieldSchema(OpenApiSerializerFieldExtension):
    target_class = SummaryRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema.resolve_serializer(self.target.summary_serializer, direction).ref
        schema = build_basic_type(OpenApiTypes.INT)
        schema["description"] = "Primary key."
        return schema


def named_enum(auto_schema, name: str, choices, *, allow_blank: bool = False) -> dict:
    """Register (once) an enum component called `name` and return a reference to it."""
    component = ResolvedComponent(
        name=name,
        type=ResolvedComponent.SCHEMA,
        object=name,
        schema={
            "type": "string",
            "enum": [str(value) for value, _ in choices],
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
        },
    )
    auto_schema.registry.register_on_missing(component)
    if not allow_blank:
        return component.ref
    blank = ResolvedComponent(
        name="BlankEnum", type=ResolvedComponent.SCHEMA, object="BlankEnum", schema={"enum": [""]}
    )
    auto_schema.registry.register_on_missing(blank)
    return {"oneOf": [component.ref, blank.ref]}


class EnumChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices_class
        blank = self.target.allow_blank and not self.target.allow_null  # with null allowed, a blank reads as null
        return named_enum(auto_schema, f"{choices.__name__}Enum", choices.choices, allow_blank=blank)


class CountryFieldSchema(OpenApiSerializerFieldExtension):
    """Every country field (headquarters, delivery countries, an agent's or a location's) shares `CountryEnum`."""

    target_class = "django_countries.serializer_fields.CountryField"

    def map_serializer_field(self, auto_schema, direction):
        if getattr(self.target, "_spectacular_annotation", None):  # dict or name-only output documents itself
            return self.target._spectacular_annotation["field"]
        return named_enum(auto_schema, "CountryEnum", list(self.target.countries), allow_blank=self.target.allow_blank)


class TimeZoneField(serializers.ChoiceField):
    """An IANA time zone name, checked against the zone database but documented as a string, not a 600-value enum
    (code generators choke on one, and the database grows)."""

    def __init__(self, **kwargs):
        from zoneinfo import available_timezones

        super().__init__(choices=sorted(available_timezones()), **kwargs)
        self.error_messages["invalid_choice"] = "“{input}” is not an IANA time zone name such as America/New_York."


class TimeZoneFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TimeZoneField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "maxLength": 64,
            "example": "America/New_York",
            "description": "An IANA time zone name (`Area/Location`, e.g. `America/New_York`, `America/Chicago`, "
            "`Europe/London`, or `UTC`), as in the tz database. The practice's dates — periods, due dates, "
            "today — are in this zone.",
        }


class NullOnReadMixin:
    """A field that may not be written as null but reads null for some callers (a value hidden from them)."""


class NullOnReadDecimalField(NullOnReadMixin, serializers.DecimalField):
    pass


class NullOnReadSchema(OpenApiSerializerFieldExtension):
    target_class = NullOnReadMixin
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["nullable"] = True
        return schema


class StrictCharField(serializers.CharField):
    """Text that must arrive as text: DRF's CharField would store `1.5e-208` sent for a name as "1.5e-208", and
    the schema says string. Every ModelSerializer maps model text fields to it (see BpoPortalConfig.ready)."""

    default_error_messages = {"not_text": "Must be text (a JSON string), not a number."}

    def to_internal_value(self, data):
        if isinstance(data, int | float) and not isinstance(data, bool):
            self.fail("not_text")
        return super().to_internal_value(data)
