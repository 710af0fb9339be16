"""The communication plan's pages: contacts and escalation path, cadences, meetings with action items, staff
feedback and the reminders a side was sent. Both sides' managers write; everyone on the engagement reads;
feedback is written by the practice's people and read by its managers only."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from engagements.access import can_act_on
from engagements.access_log import AccessKind, record_accesses
from engagements.filters.communication import MeetingFilterSet, ReminderFilterSet
from engagements.forms.communication import (
    ActionItemForm,
    ContactForm,
    EscalationLevelForm,
    FeedbackForm,
    MeetingCadenceForm,
    MeetingForm,
)
from engagements.models import (
    ActionItem,
    Contact,
    Engagement,
    EscalationLevel,
    Feedback,
    Meeting,
    MeetingCadence,
    Reminder,
)
from engagements.reminders import local_today
from engagements.services import communication as services
from engagements.tables.communication import MeetingTable, ReminderTable

MANAGERS_ONLY = "Only the managers of either side can change the communication plan."


class CommunicationView(ObjectDetailView):
    """One engagement's communication plan: who to call, the escalation path, the cadences and recent meetings."""

    model = Engagement
    template_name = "engagements/communication/communication.html"
    select_related = ("practice", "provider")
    RECENT_MEETINGS = 5

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        today = local_today(engagement.practice.timezone)
        cadences = list(engagement.cadences.annotate(last_held=Max("meetings__held_on")))
        for cadence in cadences:
            cadence.due = cadence.next_due(cadence.last_held)
            cadence.is_late = cadence.due < today
        meetings = engagement.meetings.annotate(
            open_items=Count("action_items", filter=Q(action_items__done_at__isnull=True))
        )
        context.update(
            contacts=services.contacts_by_side(engagement),
            levels=engagement.escalation_levels.select_related("contact"),
            cadences=cadences,
            meetings=meetings[: self.RECENT_MEETINGS],
            meeting_count=engagement.meetings.count(),
            open_items=ActionItem.objects.open().filter(meeting__engagement=engagement).select_related("meeting"),
            today=today,
            can_change=context["can_change"] and not engagement.is_ended,
            can_give_feedback=can_act_on(self.request.user, engagement, "give_feedback"),
            can_read_feedback=can_act_on(self.request.user, engagement, "manage_contract"),
        )
        return context


# --- Create and edit, each row under one engagement --------------------------------------------------------------


class EngagementChildCreateView(ObjectCreateView):
    """Adds a row to the engagement in the URL: visible engagement or 404, its managers or 403."""

    noun = ""
    save = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = get_object_or_404(Engagement.objects.for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def can_create(self):
        return can_act_on(self.request.user, self.engagement, "change") and not self.engagement.is_ended

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"New {self.noun} — {self.engagement.name}"
        context["cancel_url"] = reverse("engagements:communication", args=[self.engagement.pk])
        return context

    def perform_save(self, form):
        return type(self).save(form.instance, by=self.request.user)


class EngagementChildUpdateView(ObjectUpdateView):
    denied_message = MANAGERS_ONLY
    select_related = ("engagement",)
    noun = ""
    save = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Edit {self.noun} — {self.object.engagement.name}"
        return context

    def perform_save(self, form):
        return type(self).save(form.instance, by=self.request.user)


class ContactCreateView(EngagementChildCreateView):
    model, form_class, noun, success_message = Contact, ContactForm, "contact", "Contact saved."
    save = staticmethod(services.save_contact)


class ContactUpdateView(EngagementChildUpdateView):
    model, form_class, noun, success_message = Contact, ContactForm, "contact", "Contact saved."
    save = staticmethod(services.save_contact)


class EscalationLevelCreateView(EngagementChildCreateView):
    model, form_class, noun, success_message = EscalationLevel, EscalationLevelForm, "escalation level", "Level saved."
    save = staticmethod(services.save_escalation_level)

    def get_initial(self):
        top = self.engagement.escalation_levels.aggregate(top=Max("level"))["top"] or 0
        return {"level": top + 1, "response_hours": 24}


class EscalationLevelUpdateView(EngagementChildUpdateView):
    model, form_class, noun, success_message = EscalationLevel, EscalationLevelForm, "escalation level", "Level saved."
    save = staticmethod(services.save_escalation_level)


class CadenceCreateView(EngagementChildCreateView):
    model, form_class, noun, success_message = MeetingCadence, MeetingCadenceForm, "meeting cadence", "Cadence saved."
    save = staticmethod(services.save_cadence)


class CadenceUpdateView(EngagementChildUpdateView):
    model, form_class, noun, success_message = MeetingCadence, MeetingCadenceForm, "meeting cadence", "Cadence saved."
    save = staticmethod(services.save_cadence)


class MeetingCreateView(EngagementChildCreateView):
    model, form_class, noun = Meeting, MeetingForm, "meeting"
    success_message = "Meeting recorded. Add its action items below."
    save = staticmethod(services.save_meeting)

    def get_initial(self):
        return {"held_on": local_today(self.engagement.practice.timezone)}

    def get_success_url(self):
        return self.object.get_absolute_url()


class MeetingUpdateView(EngagementChildUpdateView):
    model, form_class, noun, success_message = Meeting, MeetingForm, "meeting", "Meeting saved."
    save = staticmethod(services.save_meeting)


# --- Meetings ----------------------------------------------------------------------------------------------------


class MeetingListView(ObjectListView):
    model = Meeting
    table_class = MeetingTable
    filterset_class = MeetingFilterSet
    title = "Meetings"
    select_related = ("engagement",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(open_items=Count("action_items", filter=Q(action_items__done_at__isnull=True)))
            .order_by("-held_on", "-pk")  # a GROUP BY drops the model's default ordering
        )


class MeetingDetailView(ObjectDetailView):
    model = Meeting
    template_name = "engagements/communication/meeting_detail.html"
    select_related = ("engagement__practice", "engagement__provider", "cadence", "recorded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_items"] = self.object.action_items.select_related("done_by")
        context["today"] = local_today(self.object.engagement.practice.timezone)
        context["can_change"] = context["can_change"] and not self.object.engagement.is_ended
        return context


class ActionItemCreateView(ObjectCreateView):
    model = ActionItem
    form_class = ActionItemForm
    success_message = "Action item added."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.meeting = get_object_or_404(Meeting.objects.for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def can_create(self):
        return can_act_on(self.request.user, self.meeting.engagement, "change")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "meeting": self.meeting}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"New action item — {self.meeting}"
        context["cancel_url"] = self.meeting.get_absolute_url()
        return context

    def perform_save(self, form):
        return services.save_action_item(form.instance, by=self.request.user)


class ActionItemUpdateView(ObjectUpdateView):
    model = ActionItem
    form_class = ActionItemForm
    denied_message = MANAGERS_ONLY
    select_related = ("meeting__engagement",)
    success_message = "Action item saved."

    def perform_save(self, form):
        return services.save_action_item(form.instance, by=self.request.user)


class ActionItemDoneView(ObjectActionView):
    model = ActionItem
    denied_message = MANAGERS_ONLY

    def perform(self, obj):
        services.complete_action_item(obj, by=self.request.user)
        return f"“{obj.title}” is done."


# --- Staff feedback ----------------------------------------------------------------------------------------------


class FeedbackView(LoginRequiredMixin, TemplateView):
    """The practice's people leave feedback here; its managers read it here. The provider never sees it."""

    template_name = "engagements/communication/feedback.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = get_object_or_404(Engagement.objects.for_user(request.user), pk=kwargs["pk"])
        self.can_give = can_act_on(request.user, self.engagement, "give_feedback")
        self.can_read = can_act_on(request.user, self.engagement, "manage_contract")
        if not (self.can_give or self.can_read):
            raise PermissionDenied("Feedback on the transition is for the practice's people.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(engagement=self.engagement, can_give=self.can_give, can_read=self.can_read)
        context.setdefault("form", FeedbackForm())
        if self.can_read:
            context["feedback"] = list(Feedback.objects.filter(engagement=self.engagement).select_related("author"))
            record_accesses(
                self.request, AccessKind.STAFF_FEEDBACK, context["feedback"], engagement_of=self._engagement
            )
        return context

    def _engagement(self, feedback):
        return self.engagement

    def post(self, request, *args, **kwargs):
        if not self.can_give:
            raise PermissionDenied("Only the practice's people can leave feedback on the transition.")
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.give_feedback(
                        self.engagement,
                        text=form.cleaned_data["text"],
                        anonymous=form.cleaned_data["anonymous"],
                        by=request.user,
                    )
            except DomainError as error:
                form.add_error("text", error.message)
            else:
                messages.success(request, "Thank you — your feedback reached the practice's managers.")
                return redirect("engagements:feedback", pk=self.engagement.pk)
        return self.render_to_response(self.get_context_data(form=form))


# --- Reminders ---------------------------------------------------------------------------------------------------


class ReminderListView(ObjectListView):
    model = Reminder
    table_class = ReminderTable
    filterset_class = ReminderFilterSet
    title = "Reminders"


urlpatterns = [
    path("engagements/<int:pk>/communication/", CommunicationView.as_view(), name="communication"),
    path("engagements/<int:pk>/contacts/new/", ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", ContactUpdateView.as_view(), name="contact_edit"),
    path("engagements/<int:pk>/escalation/new/", EscalationLevelCreateView.as_view(), name="escalation_level_create"),
    path("escalation-levels/<int:pk>/edit/", EscalationLevelUpdateView.as_view(), name="escalation_level_edit"),
    path("engagements/<int:pk>/cadences/new/", CadenceCreateView.as_view(), name="cadence_create"),
    path("cadences/<int:pk>/edit/", CadenceUpdateView.as_view(), name="cadence_edit"),
    path("engagements/<int:pk>/meetings/new/", MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/", MeetingListView.as_view(), name="meeting_list"),
    path("meetings/<int:pk>/", MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", MeetingUpdateView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/action-items/new/", ActionItemCreateView.as_view(), name="action_item_create"),
    path("action-items/<int:pk>/edit/", ActionItemUpdateView.as_view(), name="action_item_edit"),
    path("action-items/<int:pk>/done/", ActionItemDoneView.as_view(), name="action_item_done"),
    path("engagements/<int:pk>/feedback/", FeedbackView.as_view(), name="feedback"),
    path("reminders/", ReminderListView.as_view(), name="reminder_list"),
]
