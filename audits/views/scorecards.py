"""Scorecard pages: list, create (empty or from a starter), a version's sections and criteria, draft editing,
publishing, and a new draft from a published version."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from audits.filters import ScorecardFilterSet
from audits.forms import CriterionForm, PassMarkForm, ScorecardForm, SectionForm
from audits.models import Criterion, Scorecard, ScorecardVersion, Section
from audits.services import scorecards as services
from audits.tables import ScorecardTable
from bpo_portal.errors import DomainError
from bpo_portal.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ServiceFormMixin,
)
from engagements.access import can_act_anywhere


class ScorecardListView(ObjectListView):
    model = Scorecard
    table_class = ScorecardTable
    filterset_class = ScorecardFilterSet
    title = "Scorecards"
    create_url_name = "audits:scorecard_create"
    select_related = ("engagement", "service_line")

    def can_create(self):
        return can_act_anywhere(self.request.user, "change")


class ScorecardCreateView(ObjectCreateView):
    model = Scorecard
    form_class = ScorecardForm
    success_message = "Scorecard created as a draft. Review its criteria, then publish it."
    extra_context = {"title": "New scorecard"}

    def can_create(self):
        return can_act_anywhere(self.request.user, "change")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_initial(self):
        return {"engagement": self.request.GET.get("engagement"), "starter": self.request.GET.get("starter")}

    def perform_save(self, form):
        data = form.cleaned_data
        if data["starter"]:
            return services.create_from_starter(
                engagement=data["engagement"], key=data["starter"], by=self.request.user, name=data["name"] or None
            )
        return services.create_scorecard(
            engagement=data["engagement"],
            name=data["name"],
            by=self.request.user,
            service_line=data["service_line"],
            description=data["description"],
            pass_mark=data["pass_mark"],
        )

    def get_success_url(self):
        return self.object.draft_version.get_absolute_url()


class ScorecardDetailView(ObjectDetailView):
    model = Scorecard
    template_name = "audits/scorecard_detail.html"
    select_related = ("engagement", "service_line")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["versions"] = self.object.versions.select_related("published_by")
        return context


class VersionDetailView(ObjectDetailView):
    model = ScorecardVersion
    template_name = "audits/version_detail.html"
    select_related = ("scorecard__engagement",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.object
        context["sections"] = version.sections.prefetch_related("criteria")
        context["editable"] = version.is_draft and context["can_change"]
        if context["editable"]:
            context["pass_mark_form"] = PassMarkForm(initial={"pass_mark": version.pass_mark})
            context["section_form"] = SectionForm()
            context["criterion_form"] = CriterionForm(version=version)
        context["audit_count"] = version.audits.count()
        return context


class DraftActionView(ObjectActionView):
    """A POST that changes a draft version through a service; errors come back as messages."""

    model = ScorecardVersion


class PassMarkView(DraftActionView):
    def perform(self, version):
        form = PassMarkForm(self.request.POST)
        if not form.is_valid():
            raise DomainError("The pass mark is a number from 0 to 100.")
        services.update_draft(version, by=self.request.user, pass_mark=form.cleaned_data["pass_mark"])
        return "Pass mark saved."


class AddSectionView(DraftActionView):
    def perform(self, version):
        form = SectionForm(self.request.POST)
        if not form.is_valid():
            raise DomainError("Give the section a title.")
        services.add_section(version, title=form.cleaned_data["title"], by=self.request.user)
        return "Section added."


class AddCriterionView(DraftActionView):
    def perform(self, version):
        form = CriterionForm(self.request.POST, version=version)
        if not form.is_valid():
            raise DomainError(" ".join(" ".join(errors) for errors in form.errors.values()))
        services.save_criterion(form.save(commit=False), by=self.request.user)
        return "Criterion added."


class PublishVersionView(DraftActionView):
    def perform(self, version):
        services.publish_version(version, by=self.request.user)
        return f"Version {version.number} published. It can no longer change; audits can now use it."


class NewDraftView(DraftActionView):
    def post(self, request, *args, **kwargs):
        version = self.get_object()
        try:
            with transaction.atomic():
                draft = services.new_draft_from(version, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(version.get_absolute_url())
        messages.success(request, f"Draft version {draft.number} started from version {version.number}.")
        return redirect(draft.get_absolute_url())


class CriterionUpdateView(ObjectUpdateView):
    model = Criterion
    form_class = CriterionForm
    select_related = ("section__version__scorecard",)

    def get_form_kwargs(self):
        kwargs = super(ServiceFormMixin, self).get_form_kwargs()
        kwargs["version"] = self.object.section.version
        return kwargs

    def perform_save(self, form):
        return services.save_criterion(form.save(commit=False), by=self.request.user)

    def get_success_url(self):
        return self.object.section.version.get_absolute_url()


class CriterionDeleteView(ObjectActionView):
    model = Criterion

    def perform(self, criterion):
        self.version = criterion.section.version
        services.delete_criterion(criterion, by=self.request.user)
        return f"Removed “{criterion.name}”."

    def get_success_url(self, obj):
        return reverse("audits:version_detail", args=[obj.section.version_id])


class SectionDeleteView(ObjectActionView):
    model = Section

    def perform(self, section):
        services.delete_section(section, by=self.request.user)
        return f"Removed section “{section.title}”."

    def get_success_url(self, obj):
        return reverse("audits:version_detail", args=[obj.version_id])
