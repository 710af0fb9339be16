"""The communication API: contacts, escalation levels, cadences, meetings and action items (both sides' managers
write, everyone on the engagement reads), staff feedback (the practice's people write, its managers read) and
the reminders sent to the caller's side (read-only)."""

from django.db import transaction
from django.db.models import Max, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bpo_portal.api.viewsets import ScopedModelViewSet
from engagements.access import can_act_anywhere, engagements_for
from engagements.access_log import AccessKind, AccessLoggedViewSetMixin
from engagements.api.serializers import communication as serializers
from engagements.api.views import FORBIDDEN, INVALID, NOT_FOUND
from engagements.filters.communication import (
    ActionItemFilterSet,
    ContactFilterSet,
    EscalationLevelFilterSet,
    FeedbackFilterSet,
    MeetingCadenceFilterSet,
    MeetingFilterSet,
    ReminderFilterSet,
)
from engagements.models import (
    ActionItem,
    Contact,
    EscalationLevel,
    Feedback,
    Meeting,
    MeetingCadence,
    Reminder,
)
from engagements.services import communication as services

MANAGERS_ONLY = "Only the managers of either side can change the communication plan."


def _documented(noun: str, plural: str, serializer):
    """The same five operations, documented alike for each part of the communication plan."""
    return extend_schema_view(
        list=extend_schema(summary=f"{plural.capitalize()} of your engagements"),
        retrieve=extend_schema(summary=f"One {noun}", responses={200: serializer, 404: NOT_FOUND}),
        create=extend_schema(
            summary=f"Add {'an' if noun[0] in 'aeiou' else 'a'} {noun} (either side's managers)",
            responses={201: serializer, 400: INVALID, 403: FORBIDDEN},
        ),
        update=extend_schema(
            summary=f"Change {'an' if noun[0] in 'aeiou' else 'a'} {noun} (either side's managers)",
            responses={200: serializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
        partial_update=extend_schema(
            summary=f"Change part of {'an' if noun[0] in 'aeiou' else 'a'} {noun} (either side's managers)",
            responses={200: serializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
        destroy=extend_schema(
            summary=f"Delete {'an' if noun[0] in 'aeiou' else 'a'} {noun} (portal admins only)",
            responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND, 409: FORBIDDEN},
        ),
    )


class ServiceSavedViewSet(ScopedModelViewSet):
    """Saves through a service (`save`), which applies the rules; the engagement is fixed once created."""

    denied_message = MANAGERS_ONLY
    save = None
    engagement_of = staticmethod(lambda data: data["engagement"])

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "change")

    def perform_create(self, serializer):
        engagement = self.engagement_of(serializer.validated_data)
        if not engagements_for(self.request.user, "change").filter(pk=engagement.pk).exists():
            self.permission_denied(self.request, message=MANAGERS_ONLY)
        with transaction.atomic():
            obj = type(self).save(serializer.Meta.model(**serializer.validated_data), by=self.request.user)
            self.check_in_write_scope(obj)
        serializer.instance = obj

    def perform_update(self, serializer):
        obj = serializer.instance
        for name, value in serializer.validated_data.items():
            if name not in ("engagement", "meeting"):  # which engagement a row belongs to never changes
                setattr(obj, name, value)
        with transaction.atomic():
            serializer.instance = type(self).save(obj, by=self.request.user)
            self.check_in_write_scope(serializer.instance)


@_documented("contact", "points of contact", serializers.ContactSerializer)
class ContactViewSet(ServiceSavedViewSet):
    """Points of contact on each side: role, name, e-mail, phone and working hours."""

    queryset = Contact.objects.select_related("engagement")
    serializer_class = serializers.ContactSerializer
    filterset_class = ContactFilterSet
    ordering_fields = ["name", "side", "role"]
    save = staticmethod(services.save_contact)


@_documented("escalation level", "escalation paths", serializers.EscalationLevelSerializer)
class EscalationLevelViewSet(ServiceSavedViewSet):
    """An engagement's escalation path: level 1, 2, … each with a contact and an expected response time. An
    overdue remediation reaches level 1, then one level up each time a level's response time passes."""

    queryset = EscalationLevel.objects.select_related("contact")
    serializer_class = serializers.EscalationLevelSerializer
    filterset_class = EscalationLevelFilterSet
    ordering_fields = ["level", "response_hours"]
    save = staticmethod(services.save_escalation_level)


@_documented("meeting cadence", "meeting cadences", serializers.MeetingCadenceSerializer)
class MeetingCadenceViewSet(ServiceSavedViewSet):
    """How often each kind of meeting is held; `next_due` counts from the last meeting held under it, or on a
    fixed schedule from `starts_on` (`anchor`)."""

    queryset = MeetingCadence.objects.annotate(last_held=Max("meetings__held_on")).order_by("engagement", "kind", "pk")
    serializer_class = serializers.MeetingCadenceSerializer
    filterset_class = MeetingCadenceFilterSet
    ordering_fields = ["kind", "starts_on"]
    save = staticmethod(services.save_cadence)


@_documented("meeting", "meetings", serializers.MeetingSerializer)
class MeetingViewSet(ServiceSavedViewSet):
    """Meetings held between the two sides: date, attendees, notes and decisions, with their action items."""

    queryset = Meeting.objects.select_related("recorded_by").prefetch_related(
        Prefetch("action_items", queryset=ActionItem.objects.select_related("meeting", "done_by"))
    )
    serializer_class = serializers.MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["held_on", "created_at"]
    save = staticmethod(services.save_meeting)


@_documented("action item", "action items", serializers.ActionItemSerializer)
class ActionItemViewSet(ServiceSavedViewSet):
    """What meetings agreed someone would do, by when. An open item past its due date reminds its side."""

    queryset = ActionItem.objects.select_related("meeting", "done_by")
    serializer_class = serializers.ActionItemSerializer
    filterset_class = ActionItemFilterSet
    ordering_fields = ["due_on", "title"]
    save = staticmethod(services.save_action_item)
    engagement_of = staticmethod(lambda data: data["meeting"].engagement)

    @extend_schema(
        summary="Mark an action item done (either side's managers)",
        request=None,
        responses={200: serializers.ActionItemSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def done(self, request, pk=None):
        item = services.complete_action_item(self.get_object(), by=request.user)
        return Response(self.get_serializer(item).data)


@extend_schema_view(
    list=extend_schema(summary="Staff feedback on your transitions (the practice's managers)"),
    retrieve=extend_schema(
        summary="One piece of staff feedback", responses={200: serializers.FeedbackSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Leave feedback on the transition (the practice's managers and staff)",
        description="With `anonymous: true` no author is stored at all. The provider cannot read feedback.",
        responses={201: serializers.FeedbackSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
)
class FeedbackViewSet(AccessLoggedViewSetMixin, ScopedModelViewSet):
    """The practice's change-management channel: its people write, its managers read. Feedback is not edited."""

    http_method_names = ["get", "post", "head", "options"]
    access_kind = AccessKind.STAFF_FEEDBACK  # each item a manager reads is in the access log
    queryset = Feedback.objects.select_related("author", "engagement")
    serializer_class = serializers.FeedbackSerializer
    filterset_class = FeedbackFilterSet
    ordering_fields = ["created_at"]

    def can_create(self) -> bool:
        return can_act_anywhere(self.request.user, "give_feedback")

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not engagements_for(self.request.user, "give_feedback").filter(pk=data["engagement"].pk).exists():
            self.permission_denied(self.request, message="Only the practice's people can leave feedback.")
        serializer.instance = services.give_feedback(
            data["engagement"], text=data["text"], anonymous=data.get("is_anonymous", False), by=self.request.user
        )


@extend_schema_view(
    list=extend_schema(summary="Reminders sent to your side"),
    retrieve=extend_schema(summary="One reminder", responses={200: serializers.ReminderSerializer, 404: NOT_FOUND}),
)
class ReminderViewSet(viewsets.ReadOnlyModelViewSet):
    """What the daily job reminded your side of (and you, for an escalation): each once per item and due date."""

    queryset = Reminder.objects.select_related("item_type")
    serializer_class = serializers.ReminderSerializer
    filterset_class = ReminderFilterSet
    ordering_fields = ["created_at", "due_on"]

    def get_queryset(self):
        return self.queryset.for_user(self.request.user)
