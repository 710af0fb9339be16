"""Shapes of the compliance-audit API. Serializers check shape and what the caller can see; the rules live in
audits.services.compliance."""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audits.choices import (
    ComplianceAuditStatus,
    ComplianceFrequency,
    CorrectiveActionStatus,
    FindingSeverity,
    FindingStatus,
    RequirementResult,
)
from audits.models import (
    ComplianceAudit,
    ComplianceEvidence,
    ComplianceRequirement,
    ComplianceSchedule,
    CorrectiveAction,
    Finding,
)
from audits.services import compliance as services
from bpo_portal.api.fields import EnumChoiceField
from engagements.choices import Side
from engagements.models import Engagement
from engagements.models.diligence import validate_evidence
from engagements.models.people import display_name


def _user(serializer):
    return getattr(serializer.context.get("request"), "user", None)


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


class VisibleField(serializers.PrimaryKeyRelatedField):
    """An id among the rows of `model` the caller can see: unknown and out of sight read alike."""

    def __init__(self, model, noun: str, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)
        self.error_messages["does_not_exist"] = f"No {noun} with id {{pk_value}}."
        self.error_messages["incorrect_type"] = f"A {noun} is given by its id (a whole number)."

    def get_queryset(self):
        user = _user(self.parent) if self.parent is not None else None
        return self.model.objects.for_user(user) if user is not None else self.model.objects.none()


class PersonField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        people = get_user_model().objects.filter(is_active=True, membership__isnull=False)
        super().__init__(queryset=people, **kwargs)
        self.error_messages["does_not_exist"] = "No person with id {pk_value} on this engagement."


class UserNameField(serializers.CharField):
    def __init__(self, source, **kwargs):
        super().__init__(source=source, read_only=True, **kwargs)

    def to_representation(self, user):
        return display_name(user)


# --- Audits -----------------------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="Where to download it in a signed-in portal session (whoever may see the audit)."
    )

    class Meta:
        model = ComplianceEvidence
        fields = ["id", "name", "url", "uploaded_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, evidence) -> str:
        return _absolute(self, evidence.get_absolute_url())


class RequirementSerializer(serializers.ModelSerializer):
    result = EnumChoiceField(RequirementResult, allow_null=True, help_text="Null until assessed.")
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ComplianceRequirement
        fields = ["key", "group", "title", "guidance", "result", "notes", "assessed_at", "evidence"]


class FindingSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="finding-detail")
    severity = EnumChoiceField(FindingSeverity)
    status = EnumChoiceField(FindingStatus)

    class Meta:
        model = Finding
        fields = ["id", "url", "title", "severity", "status"]


class ComplianceAuditSerializer(serializers.ModelSerializer):
    """A compliance audit with its checklist (results, notes, evidence), score and findings."""

    url = serializers.HyperlinkedIdentityField(view_name="complianceaudit-detail")
    engagement = serializers.PrimaryKeyRelatedField(read_only=True)
    auditor = serializers.PrimaryKeyRelatedField(read_only=True)
    auditor_name = UserNameField(source="auditor")
    side = EnumChoiceField(Side, read_only=True)
    status = EnumChoiceField(ComplianceAuditStatus, read_only=True)
    score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Share of applicable requirements compliant, partially compliant counting half (0–100); "
        "null while nothing applicable is assessed.",
    )
    requirements = RequirementSerializer(many=True, read_only=True)
    findings = FindingSummarySerializer(many=True, read_only=True)

    class Meta:
        model = ComplianceAudit
        fields = [
            "id",
            "url",
            "engagement",
            "period_start",
            "period_end",
            "auditor",
            "auditor_name",
            "side",
            "status",
            "baseline",
            "summary",
            "score",
            "requirements",
            "findings",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class StartComplianceAuditSerializer(serializers.Serializer):
    engagement = VisibleField(Engagement, "engagement")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    baseline = VisibleField(
        ComplianceAudit, "compliance audit", required=False, allow_null=True, help_text="An earlier audit to copy."
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class ResultSerializer(serializers.Serializer):
    key = serializers.SlugField()
    result = EnumChoiceField(RequirementResult, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class ResultsSerializer(serializers.Serializer):
    results = ResultSerializer(many=True, allow_empty=False)


class EvidenceUploadSerializer(serializers.Serializer):
    requirement = serializers.SlugField(help_text="The requirement's key, e.g. `mfa`.")
    file = serializers.FileField(validators=[validate_evidence], help_text="PDF, PNG or JPEG, up to 10 MB.")


# --- Findings ---------------------------------------------------------------------------------------------------


class RequirementKeyField(serializers.SlugRelatedField):
    """A requirement by its key, looked up within the finding's audit: every audit has its own `mfa`, `baa`, …"""

    default_error_messages = {
        **serializers.SlugRelatedField.default_error_messages,
        "which_audit": "Say which compliance audit (`audit`) the requirement belongs to.",
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        instance = getattr(self.parent, "instance", None)
        audit = getattr(instance, "audit_id", None) if instance is not None else None
        if audit is None:
            raw = getattr(self.parent, "initial_data", {}).get("audit")
            audit = int(raw) if str(raw).isdigit() else None
        return queryset.filter(audit_id=audit) if audit is not None else queryset.none()

    def to_internal_value(self, data):
        if not self.get_queryset().exists() and getattr(self.parent, "instance", None) is None:
            self.fail("which_audit")
        return super().to_internal_value(data)


class FindingSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="finding-detail")
    audit = VisibleField(ComplianceAudit, "compliance audit", help_text="Fixed once raised.")
    requirement = RequirementKeyField(
        slug_field="key",
        queryset=ComplianceRequirement.objects.none(),
        required=False,
        allow_null=True,
        help_text="The key of the audit's requirement it is about, if any.",
    )
    severity = EnumChoiceField(FindingSeverity)
    status = EnumChoiceField(FindingStatus, read_only=True)
    raised_by_name = UserNameField(source="raised_by")
    responded_by_name = UserNameField(source="responded_by", allow_null=True)
    actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "url",
            "audit",
            "requirement",
            "title",
            "description",
            "severity",
            "status",
            "response",
            "responded_by_name",
            "responded_at",
            "raised_by_name",
            "created_at",
            "closed_at",
            "actions",
        ]
        read_only_fields = ["response", "responded_at", "created_at", "closed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["requirement"].queryset = ComplianceRequirement.objects.for_user(user)

    def validate(self, attrs):
        audit = attrs.get("audit", getattr(self.instance, "audit", None))
        if self.instance is not None and "audit" in attrs and attrs["audit"] != self.instance.audit:
            raise serializers.ValidationError({"audit": "A finding stays with its audit."})
        requirement = attrs.get("requirement")
        if requirement is not None and audit is not None and requirement.audit_id != audit.pk:
            raise serializers.ValidationError({"requirement": "Choose a requirement of this audit."})
        return attrs


class FindingResponseSerializer(serializers.Serializer):
    response = serializers.CharField()


# --- Corrective actions -----------------------------------------------------------------------------------------


class CorrectiveActionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="correctiveaction-detail")
    finding = VisibleField(Finding, "finding", help_text="Fixed once created.")
    owner = PersonField(help_text="The id of the person who does it: someone on either side of the engagement.")
    owner_name = UserNameField(source="owner")
    status = EnumChoiceField(
        CorrectiveActionStatus,
        required=False,
        help_text="`open` or `in_progress`; an action becomes `done` only through `close/`, with its evidence.",
    )
    closing_evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "url",
            "finding",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "closing_note",
            "closing_evidence_name",
            "closing_evidence_url",
            "closed_at",
            "created_at",
        ]
        read_only_fields = ["closing_note", "closing_evidence_name", "closed_at", "created_at"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_closing_evidence_url(self, action) -> str | None:
        return _absolute(self, action.closing_evidence_url) if action.closing_evidence else None

    def validate(self, attrs):
        if self.instance is not None and "finding" in attrs and attrs["finding"] != self.instance.finding:
            raise serializers.ValidationError({"finding": "A corrective action stays with its finding."})
        return attrs

    def create(self, validated_data):
        return services.save_corrective_action(CorrectiveAction(**validated_data), by=_user(self))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_corrective_action(instance, by=_user(self))


class CloseCorrectiveActionSerializer(serializers.Serializer):
    closing_note = serializers.CharField()
    closing_evidence = serializers.FileField(validators=[validate_evidence], help_text="PDF, PNG or JPEG, up to 10 MB.")


# --- Frequency --------------------------------------------------------------------------------------------------


class ComplianceScheduleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="complianceschedule-detail")
    engagement = VisibleField(Engagement, "engagement", help_text="One schedule per engagement.")
    frequency = EnumChoiceField(ComplianceFrequency)
    next_due = serializers.SerializerMethodField(help_text="When the next audit is due.")

    class Meta:
        model = ComplianceSchedule
        fields = ["id", "url", "engagement", "frequency", "first_due_on", "next_due", "updated_at"]
        read_only_fields = ["updated_at"]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_due(self, schedule):
        if hasattr(schedule, "last_completed"):  # annotated on lists, in one query
            return services.next_audit_due(schedule, schedule.last_completed)
        return services.next_audit_due(schedule, services.last_completed_period_end(schedule.engagement))

    def validate(self, attrs):
        if self.instance is not None and "engagement" in attrs and attrs["engagement"] != self.instance.engagement:
            raise serializers.ValidationError({"engagement": "A schedule stays with its engagement."})
        return attrs

    def save(self, **kwargs):
        engagement = self.validated_data.get("engagement") or self.instance.engagement
        self.instance = services.set_compliance_frequency(
            engagement,
            frequency=self.validated_data.get("frequency", getattr(self.instance, "frequency", None)),
            first_due_on=self.validated_data.get("first_due_on", getattr(self.instance, "first_due_on", None)),
            by=_user(self),
        )
        return self.instance
