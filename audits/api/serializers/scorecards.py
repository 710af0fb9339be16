"""Shapes of the scorecard API. Rules (who writes, what a published version allows) live in the services."""

from rest_framework import serializers

from audits.choices import Scale, VersionStatus
from audits.models import Criterion, Scorecard, ScorecardVersion, Section
from audits.services import scorecards as services
from bpo_portal.api.fields import EnumChoiceField
from engagements.api.serializers import ServiceLineCodeField
from engagements.models import Engagement
from slas.api.serializers import VisibleObjectField


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class CriterionSerializer(serializers.ModelSerializer):
    scale = EnumChoiceField(Scale, required=False)

    class Meta:
        model = Criterion
        fields = ["id", "name", "guidance", "weight", "scale", "max_points", "allows_na", "critical"]
        read_only_fields = ["id"]


class SectionSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True)

    class Meta:
        model = Section
        fields = ["id", "title", "criteria"]
        read_only_fields = ["id"]


class ScorecardVersionSerializer(serializers.ModelSerializer):
    """A version with its sections and criteria, in order."""

    status = EnumChoiceField(VersionStatus, read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ScorecardVersion
        fields = ["id", "number", "status", "pass_mark", "based_on", "published_at", "published_by", "sections"]
        read_only_fields = fields


class DraftSerializer(serializers.Serializer):
    """The whole structure of a draft version, replaced at once."""

    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    sections = SectionSerializer(many=True)


class ScorecardSerializer(serializers.ModelSerializer):
    """A scorecard and its versions. Creating one makes an empty draft version 1 (or a starter's, with `starter`)."""

    url = serializers.HyperlinkedIdentityField(view_name="scorecard-detail")
    engagement = VisibleObjectField(
        "engagement", queryset=Engagement.objects.none(), help_text="The engagement's id; fixed once created."
    )
    service_line = ServiceLineCodeField(required=False, allow_null=True)
    starter = serializers.ChoiceField(
        choices=["front_office", "claims"],
        required=False,
        write_only=True,
        help_text="Start from a starter scorecard: `front_office` (eye-care front office) or `claims`.",
    )
    pass_mark = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        write_only=True,
        help_text="The first version's pass mark (default 85).",
    )
    name = serializers.CharField(max_length=120, required=False, help_text="Defaults to the starter's name.")
    versions = ScorecardVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        validators = []  # the unique name per engagement is checked by the service, with a message
        fields = [
            "id",
            "url",
            "engagement",
            "service_line",
            "name",
            "description",
            "starter",
            "pass_mark",
            "created_at",
            "versions",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and user.is_authenticated:
            self.fields["engagement"].queryset = Engagement.objects.for_user(user)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("starter") and not attrs.get("name"):
            raise serializers.ValidationError({"name": "Name the scorecard, or give a starter."})
        if self.instance is not None and "engagement" in attrs and attrs["engagement"] != self.instance.engagement:
            raise serializers.ValidationError({"engagement": "A scorecard stays with its engagement."})
        return attrs

    def create(self, validated_data):
        by = _user(self)
        if validated_data.get("starter"):
            return services.create_from_starter(
                engagement=validated_data["engagement"],
                key=validated_data["starter"],
                by=by,
                name=validated_data.get("name"),
            )
        return services.create_scorecard(
            engagement=validated_data["engagement"],
            name=validated_data["name"],
            by=by,
            service_line=validated_data.get("service_line"),
            description=validated_data.get("description", ""),
            pass_mark=validated_data.get("pass_mark", 85),
        )

    def update(self, instance, validated_data):
        return services.update_scorecard(
            instance, by=_user(self), **{k: v for k, v in validated_data.items() if k in ("name", "description")}
        )
