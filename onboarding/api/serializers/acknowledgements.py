"""Shapes of the policy-document, acknowledgement and BAA API. Serializers check shape and what the caller can see;
the rules live in onboarding.services.acknowledgements."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagements.models import Engagement, Provider
from onboarding.choices import DocumentKind
from onboarding.models import Acknowledgement, BusinessAssociateAgreement, PolicyDocument, PolicyVersion
from onboarding.services import acknowledgements as services


def _user(serializer):
    return getattr(serializer.context.get("request"), "user", None)


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


class VisibleField(serializers.PrimaryKeyRelatedField):
    """An id among the rows the caller can see (`visible(user)`): unknown and out of sight read alike."""

    def __init__(self, visible, noun: str, **kwargs):
        self.visible = visible
        super().__init__(queryset=PolicyVersion.objects.none(), **kwargs)
        self.error_messages["does_not_exist"] = f"No {noun} with id {{pk_value}}."
        self.error_messages["incorrect_type"] = f"A {noun} is given by its id (a whole number)."

    def get_queryset(self):
        root = self.root
        user = _user(root) if root is not None else None
        return self.visible(user) if user is not None else PolicyVersion.objects.none()


NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


class PolicyVersionSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField(help_text="The PDF, through the access-checked file view; or null.")
    in_force = serializers.SerializerMethodField(help_text="Whether this is the version in force today.")

    class Meta:
        model = PolicyVersion
        fields = ["id", "number", "text", "file_url", "effective_on", "in_force", "created_at"]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URI)
    def get_file_url(self, version):
        if not version.file:
            return None
        return _absolute(self, reverse("onboarding:document_version_file", args=[version.pk]))

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_in_force(self, version):
        today = timezone.localdate()
        siblings = getattr(version, "siblings", None)  # the document's prefetched versions, set by the document
        effective = [v for v in (siblings or version.document.versions.all()) if v.effective_on <= today]
        return bool(effective) and max(effective, key=lambda v: v.number).pk == version.pk


class PolicyDocumentSerializer(serializers.ModelSerializer):
    engagement = serializers.PrimaryKeyRelatedField(
        queryset=Engagement.objects.all(),
        required=False,
        allow_null=True,
        help_text="The engagement the document belongs to (its practice's managers create it); or give provider.",
    )
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Provider.objects.all(),
        required=False,
        allow_null=True,
        help_text="The provider whose document it is, signed on every engagement it works.",
    )
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    versions = PolicyVersionSerializer(many=True, read_only=True)

    class Meta:
        model = PolicyDocument
        fields = ["id", "engagement", "provider", "kind", "title", "versions", "created_at"]
        read_only_fields = ["id", "versions", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)
            self.fields["provider"].queryset = Provider.objects.for_user(user)

    def to_representation(self, document):
        versions = list(document.versions.all())
        for version in versions:
            version.siblings = versions  # which is in force is read from these, not from the database
        return super().to_representation(document)


class PublishVersionTextSerializer(serializers.Serializer):
    """A new version as JSON: the day it comes into force and its text."""

    effective_on = serializers.DateField(help_text="In force from this day (today or later).")
    text = serializers.CharField(required=False, allow_blank=True)


class PublishVersionSerializer(PublishVersionTextSerializer):
    """A new version: the day it comes into force, and its text, a PDF (multipart/form-data) or both."""

    file = serializers.FileField(required=False, help_text="A PDF, up to 10 MB (send multipart/form-data).")


class AcknowledgementSerializer(serializers.ModelSerializer):
    version = VisibleField(
        lambda user: PolicyVersion.objects.filter(document__in=services.documents_in_sight(user)), "version"
    )
    document = serializers.IntegerField(source="version.document_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    agree = serializers.BooleanField(write_only=True, help_text="Must be true: “I have read and agree”.")

    class Meta:
        model = Acknowledgement
        fields = ["id", "version", "document", "version_number", "agent", "signed_at", "typed_name", "agree"]
        read_only_fields = ["id", "document", "version_number", "agent", "signed_at"]

    def validate_agree(self, value):
        if not value:
            raise serializers.ValidationError("Confirm that you have read and agree to the document.")
        return value


class BusinessAssociateAgreementSerializer(serializers.ModelSerializer):
    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.all())
    file = serializers.FileField(write_only=True, help_text="The signed BAA as a PDF, up to 10 MB.")
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = BusinessAssociateAgreement
        fields = ["id", "engagement", "signed_on", "file", "file_url", "recorded_at"]
        read_only_fields = ["id", "file_url", "recorded_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    @extend_schema_field(NULLABLE_URI)
    def get_file_url(self, baa):
        return _absolute(self, reverse("onboarding:baa_file", args=[baa.pk])) if baa.file else None
