"""Shapes of the vetting API (hiring profiles and assessment results). The rules are in onboarding.services.vetting."""

from rest_framework import serializers

from audits.models import QualityAudit, ScorecardVersion
from bpo_portal.api.fields import EnumChoiceField
from engagements.access import membership_of
from engagements.choices import Role
from onboarding.choices import AssessmentKind, CEFRLevel, ResultSource
from onboarding.models import AssessmentRequirement, AssessmentResult, HiringProfile, Onboarding
from onboarding.services import vetting
from slas.api.serializers import VisibleObjectField


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class AssessmentRequirementSerializer(serializers.ModelSerializer):
    kind = EnumChoiceField(AssessmentKind, read_only=True)
    min_cefr = EnumChoiceField(CEFRLevel, read_only=True, allow_blank=True)
    pass_mark = serializers.CharField(read_only=True)

    class Meta:
        model = AssessmentRequirement
        fields = ["id", "kind", "required", "min_cefr", "min_score", "min_accuracy", "scorecard", "pass_mark"]
        read_only_fields = fields


class HiringProfileSerializer(serializers.ModelSerializer):
    """An engagement's hiring profile: the assessments it requires and their pass marks."""

    url = serializers.HyperlinkedIdentityField(view_name="hiringprofile-detail")
    engagement_name = serializers.CharField(source="engagement.name", read_only=True)
    requirements = AssessmentRequirementSerializer(source="assessment_requirements", many=True, read_only=True)

    class Meta:
        model = HiringProfile
        fields = ["id", "url", "engagement", "engagement_name", "requirements", "updated_at"]
        read_only_fields = fields


class AssessmentResultSerializer(serializers.ModelSerializer):
    """A candidate's assessment result. `passed` is judged by the server against the hiring profile's pass mark
    (give it only for an assessment the profile does not require); an EF SET score maps to its CEFR level."""

    url = serializers.HyperlinkedIdentityField(view_name="assessmentresult-detail")
    onboarding = VisibleObjectField("onboarding", queryset=Onboarding.objects.none())
    engagement = serializers.IntegerField(source="onboarding.engagement_id", read_only=True)
    agent = serializers.IntegerField(source="onboarding.agent_id", read_only=True)
    kind = EnumChoiceField(AssessmentKind)
    cefr_level = EnumChoiceField(CEFRLevel, required=False, allow_blank=True)
    source = EnumChoiceField(ResultSource, read_only=True)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    audit = VisibleObjectField("audit", queryset=QualityAudit.objects.none(), required=False, allow_null=True)
    scorecard_version = VisibleObjectField(
        "scorecard version", queryset=ScorecardVersion.objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = AssessmentResult
        fields = [
            "id",
            "url",
            "onboarding",
            "engagement",
            "agent",
            "kind",
            "test_name",
            "taken_on",
            "raw_score",
            "cefr_level",
            "gross_wpm",
            "net_wpm",
            "accuracy",
            "passed",
            "source",
            "external_id",
            "audit",
            "scorecard_version",
            "note",
            "recorded_at",
        ]
        read_only_fields = ["id", "gross_wpm", "source", "recorded_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["onboarding"].queryset = Onboarding.objects.for_user(user)
            self.fields["audit"].queryset = QualityAudit.objects.filter(engagement__in=_engagements(user))
            self.fields["scorecard_version"].queryset = ScorecardVersion.objects.for_user(user)

    def create(self, validated_data):
        user = _user(self)
        membership = membership_of(user)
        source = ResultSource.API if membership and membership.role == Role.INTEGRATION else ResultSource.PROVIDER
        data = {key: value for key, value in validated_data.items() if key not in ("onboarding", "kind")}
        return vetting.record_result(
            validated_data["onboarding"], validated_data["kind"], by=user, source=source, **data
        )


def _engagements(user):
    from engagements.access import engagements_for

    return engagements_for(user)
