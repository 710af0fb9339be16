"""Provider due diligence pages: certifications (on the provider page, a list, forms, the evidence file behind an
access check) and an engagement's due-diligence review (checklist, score, decision)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from bpo_portal.errors import DomainError
from bpo_portal.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedMixin,
)
from engagements.access import engagements_for, is_portal_admin, membership_of
from engagements.access_log import AccessKind, record_access
from engagements.filters.diligence import CertificationFilterSet
from engagements.forms.diligence import CertificationForm, ChecklistItemForm, DiligenceDecisionForm
from engagements.models import Certification, DueDiligenceReview, Engagement, Provider
from engagements.services import diligence as services
from engagements.tables.diligence import CertificationTable

# --- Certifications -------------------------------------------------------------------------------------------------


class CertificationListView(ObjectListView):
    model = Certification
    table_class = CertificationTable
    filterset_class = CertificationFilterSet
    title = "Certifications"
    select_related = ("provider",)


class CertificationFormMixin:
    model = Certification
    form_class = CertificationForm
    template_name = "engagements/diligence/certification_form.html"
    success_message = "Certification saved."

    def perform_save(self, form):
        upload = form.files.get("evidence")
        return services.save_certification(form.instance, by=self.request.user, new_evidence=upload)

    def get_success_url(self):
        return self.object.provider.get_absolute_url()


class CertificationCreateView(CertificationFormMixin, ObjectCreateView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.provider = get_object_or_404(Provider.objects.for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def can_create(self):
        return Provider.objects.for_user(self.request.user, "change").filter(pk=self.provider.pk).exists()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Certification(provider=self.provider)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Add a certification — {self.provider}"
        context["cancel_url"] = self.provider.get_absolute_url()
        return context


class CertificationUpdateView(CertificationFormMixin, ObjectUpdateView):
    select_related = ("provider",)
    denied_message = "Only the provider's own managers change its certifications."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Edit {self.object.name} — {self.object.provider}"
        return context


class CertificationDeleteView(ObjectDeleteView):
    model = Certification
    select_related = ("provider",)
    denied_message = "Only the provider's own managers delete its certifications."

    def perform_delete(self, obj):
        services.delete_certification(obj, by=self.request.user)

    def get_success_url(self):
        return self.object.provider.get_absolute_url()


class CertificationEvidenceView(ScopedMixin, View):
    """Streams a certificate's evidence file to those allowed to open it: never served as public media."""

    model = Certification

    def get(self, request, pk):
        certification = get_object_or_404(self.scoped("view"), pk=pk)
        if not Certification.objects.with_evidence_for(request.user).filter(pk=pk).exists():
            raise PermissionDenied("The evidence is shared with the practices that work with this provider.")
        record_access(request, AccessKind.EVIDENCE_FILE, certification, provider=certification.provider_id)
        return stream_evidence(
            certification.evidence,
            filename=certification.evidence_name,
            content_type=certification.evidence_content_type,  # from the file's own first bytes
        )


def stream_evidence(field_file, *, filename: str, content_type: str, as_attachment: bool = True):
    """The response that hands over an evidence file, for views that have already checked who may open it (and
    recorded the access). Downloaded, never rendered in the portal's origin; sandboxed if opened anyway; private and
    uncached, its type fixed by what the upload was checked to be (`nosniff`). Used for certificates here and for
    compliance-audit evidence in audits."""
    if not field_file:
        raise Http404("No evidence uploaded.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The evidence file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        content_type=content_type,
        filename=filename or field_file.name.rsplit("/", 1)[-1],
    )
    response["Content-Security-Policy"] = "sandbox"  # opened anyway, it runs no script and has no origin
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The engagement's review ----------------------------------------------------------------------------------------


def shows_ratings_to(user, engagement) -> bool:
    """The checklist's ratings and notes are the practice's own assessment: its people and admins read them; the
    provider sees the decision, its conditions and the score."""
    membership = membership_of(user)
    return is_portal_admin(user) or bool(membership and membership.practice_id == engagement.practice_id)


class DueDiligenceView(ObjectDetailView):
    """The review page: the checklist (a form for the practice's managers while vetting), score and decision."""

    model = Engagement
    template_name = "engagements/diligence/review.html"
    select_related = ("practice", "provider")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        review = self.editable_review()
        forms = [ChecklistItemForm(request.POST, item=item) for item in review.items.all()]
        if not all(form.is_valid() for form in forms):
            messages.error(request, "Some answers need fixing; see the marked items.")
            return self.render_to_response(self.get_context_data(item_forms=forms))
        changes = {form.item.key: form.cleaned_data for form in forms}
        try:
            with transaction.atomic():
                review = services.update_due_diligence_items(review, changes, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(item_forms=forms))
        score = review.summary()
        messages.success(
            request,
            f"Checklist saved: score {score.score if score.score is not None else '—'}, "
            f"{score.unrated} item{'s' if score.unrated != 1 else ''} unrated.",
        )
        return redirect(review.get_absolute_url())

    def editable_review(self) -> DueDiligenceReview:
        review = DueDiligenceReview.objects.filter(engagement=self.object).first()
        if review is None:
            raise Http404("Start the review first.")
        if not self.can_manage():
            raise PermissionDenied("Only the practice's managers fill in the due-diligence review.")
        return review

    def can_manage(self) -> bool:
        return engagements_for(self.request.user, "manage_contract").filter(pk=self.object.pk).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement, user = self.object, self.request.user
        review = DueDiligenceReview.objects.filter(engagement=engagement).first()
        items = list(review.items.all()) if review else []
        can_manage = self.can_manage()
        editable = bool(review and can_manage and engagement.status == "vetting")
        if editable and "item_forms" not in kwargs:
            kwargs["item_forms"] = [ChecklistItemForm(item=item) for item in items]
        context.update(
            review=review,
            items=items,
            score=review.summary(items) if review else None,
            can_manage=can_manage,
            can_start=can_manage and review is None and engagement.status == "vetting",
            editable=editable,
            shows_ratings=shows_ratings_to(user, engagement),
            decision_form=DiligenceDecisionForm(),
            decisions=list(review.decisions.select_related("decided_by")) if review else [],
            flagged=services.flagged_certifications(
                Certification.objects.filter(provider=engagement.provider), timezone.localdate()
            ),
            **kwargs,
        )
        return context


class DiligenceActionView(ObjectActionView):
    model = Engagement
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers run the due-diligence review."

    def get_success_url(self, engagement):
        return reverse("engagements:due_diligence", args=[engagement.pk])


class StartDueDiligenceView(DiligenceActionView):
    def perform(self, engagement):
        services.start_due_diligence(engagement, by=self.request.user)
        return "Review started: rate each item of the checklist, then decide."


class DecideDueDiligenceView(DiligenceActionView):
    def perform(self, engagement):
        review = DueDiligenceReview.objects.filter(engagement=engagement).first()
        if review is None:
            raise DomainError("Start the review first.")
        form = DiligenceDecisionForm(self.request.POST)
        if not form.is_valid():
            raise DomainError(" ".join(message for errors in form.errors.values() for message in errors))
        review = services.decide_due_diligence(
            review, form.cleaned_data["decision"], by=self.request.user, conditions=form.cleaned_data["conditions"]
        )
        return f"Decision recorded: {review.get_decision_display()} (score {review.summary().score})."


urlpatterns = [
    path("certifications/", CertificationListView.as_view(), name="certification_list"),
    path("providers/<int:pk>/certifications/new/", CertificationCreateView.as_view(), name="certification_create"),
    path("certifications/<int:pk>/edit/", CertificationUpdateView.as_view(), name="certification_edit"),
    path("certifications/<int:pk>/delete/", CertificationDeleteView.as_view(), name="certification_delete"),
    path("certifications/<int:pk>/evidence/", CertificationEvidenceView.as_view(), name="certification_evidence"),
    path("engagements/<int:pk>/due-diligence/", DueDiligenceView.as_view(), name="due_diligence"),
    path("engagements/<int:pk>/due-diligence/start/", StartDueDiligenceView.as_view(), name="due_diligence_start"),
    path("engagements/<int:pk>/due-diligence/decide/", DecideDueDiligenceView.as_view(), name="due_diligence_decide"),
]
