"""Pages of policy documents and signatures: the documents list, a document with its versions and who signed which,
the publish-version form, the agent's own documents and the signing page, the signatures list, an engagement's
BAA page, and the access-checked file views.

Side members reach documents through `PolicyDocument.objects.for_user` (else 404); an agent reaches only the
documents they are asked to sign, on their own pages (every workspace page answers them 404). Every write goes
through onboarding.services.acknowledgements, whose refusal is shown on the form."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectDetailView, ObjectListView
from engagements.access import engagements_for, is_agent, is_portal_admin, membership_of
from engagements.models import Engagement, Provider
from engagements.views.diligence import stream_evidence
from onboarding import evidence
from onboarding.filters.acknowledgements import AcknowledgementFilterSet, PolicyDocumentFilterSet
from onboarding.forms.acknowledgements import BAAForm, DocumentForm, SignForm, VersionForm
from onboarding.models import Acknowledgement, BusinessAssociateAgreement, PolicyDocument, PolicyVersion
from onboarding.services import acknowledgements as services
from onboarding.tables.acknowledgements import AcknowledgementTable, PolicyDocumentTable

TEMPLATES = "onboarding/acknowledgements"


class NotForAgentsMixin:
    """The engagement workspace's pages: an agent has none of it, so they answer 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_agent(request.user):
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- Lists ------------------------------------------------------------------------------------------------------------


class DocumentListView(NotForAgentsMixin, ObjectListView):
    model = PolicyDocument
    table_class = PolicyDocumentTable
    filterset_class = PolicyDocumentFilterSet
    title = "Policy documents"
    create_url_name = "onboarding:document_create"
    select_related = ("engagement__practice", "engagement__provider", "provider")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(latest_number=Max("versions__number"), latest_effective=Max("versions__effective_on"))
            .order_by("title", "pk")
        )

    def can_create(self) -> bool:
        return services.can_create_documents(self.request.user)


class AcknowledgementListView(ObjectListView):
    """Signatures: a side member's of agents and documents in sight; an agent's own."""

    model = Acknowledgement
    table_class = AcknowledgementTable
    filterset_class = AcknowledgementFilterSet
    title = "Signatures"

    def get_queryset(self):
        return services.acknowledgements_in_sight(self.request.user).select_related("agent", "version__document")


# --- Documents --------------------------------------------------------------------------------------------------------


def _owners(user):
    """What the user may create a document for: (value, label) pairs."""
    membership = membership_of(user)
    engagements = engagements_for(user).select_related("practice")
    providers = Provider.objects.none()
    if is_portal_admin(user):
        providers = Provider.objects.all()
    elif membership and membership.provider_id:
        engagements, providers = Engagement.objects.none(), Provider.objects.filter(pk=membership.provider_id)
    elif membership and membership.practice_id:
        engagements = engagements.filter(practice_id=membership.practice_id)
    choices = [(f"engagement:{e.pk}", f"{e.name} ({e.practice})") for e in engagements.order_by("name")]
    choices += [(f"provider:{p.pk}", f"{p} (every engagement it works)") for p in providers.order_by("name")]
    return choices


class DocumentCreateView(NotForAgentsMixin, LoginRequiredMixin, FormView):
    template_name = f"{TEMPLATES}/form.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not is_agent(user) and not services.can_create_documents(user):
            raise PermissionDenied("Managers create policy documents.")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = DocumentForm(**self.get_form_kwargs())
        form.fields["owner"] = forms.ChoiceField(choices=_owners(self.request.user), label="Belongs to")
        form.order_fields(["owner", "kind", "title"])
        wanted = self.request.GET.get("engagement") or self.request.GET.get("provider")
        if wanted:
            form.initial["owner"] = ("engagement:" if self.request.GET.get("engagement") else "provider:") + wanted
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="New policy document", cancel_url=reverse("onboarding:document_list"))

    def form_valid(self, form):
        side, _, pk = form.cleaned_data["owner"].partition(":")
        owner = (
            {"engagement": Engagement.objects.get(pk=pk)}
            if side == "engagement"
            else {"provider": Provider.objects.get(pk=pk)}
        )
        try:
            document = services.create_document(
                kind=form.cleaned_data["kind"], title=form.cleaned_data["title"], by=self.request.user, **owner
            )
        except DomainError as error:
            _form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Created “{document}”. Publish its first version.")
        return redirect("onboarding:document_version_create", document.pk)


class DocumentDetailView(NotForAgentsMixin, ObjectDetailView):
    model = PolicyDocument
    template_name = f"{TEMPLATES}/document_detail.html"
    context_object_name = "document"
    select_related = ("engagement__practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document, user = self.object, self.request.user
        in_force = services.version_in_force(document)
        signatures = (
            services.acknowledgements_in_sight(user)
            .filter(version__document=document)
            .select_related("agent", "version")
            .order_by("-version__number", "agent__full_name")
        )
        versions = list(document.versions.order_by("-number"))
        by_version = {version.pk: [] for version in versions}
        for signature in signatures:
            by_version[signature.version_id].append(signature)
        onboardings = (
            services.active_onboardings()
            .filter(engagement__in=services.engagements_of(document).filter(pk__in=engagements_for(user)))
            .select_related("agent", "engagement")
            .order_by("agent__full_name")
        )
        signed_current = {s.agent_id for s in by_version.get(in_force.pk, [])} if in_force else set()
        context.update(
            in_force=in_force,
            versions=[(version, by_version[version.pk]) for version in versions],
            to_sign=[o for o in onboardings if in_force and o.agent_id not in signed_current],
            can_publish=services.can_manage_document(user, document),
        )
        return context


class VersionCreateView(NotForAgentsMixin, LoginRequiredMixin, FormView):
    form_class = VersionForm
    template_name = f"{TEMPLATES}/form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if is_agent(request.user):
            raise Http404("No such page.")
        self.document = get_object_or_404(PolicyDocument.objects.for_user(request.user), pk=kwargs["pk"])
        if not services.can_manage_document(request.user, self.document):
            raise PermissionDenied("Only the document's owner's managers publish its versions.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Publish a new version of “{self.document}”",
            cancel_url=self.document.get_absolute_url(),
            note="A published version is never edited: a change is a new version, and everyone signs again.",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            version = services.publish_version(self.document, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Published version {version.number}, in force from {version.effective_on}.")
        return redirect(self.document.get_absolute_url())


class VersionFileView(LoginRequiredMixin, View):
    """Opens a version's PDF for those who may read it: the document's sides, or an agent asked to sign it."""

    def get(self, request, pk):
        version = get_object_or_404(
            PolicyVersion.objects.filter(document__in=services.documents_in_sight(request.user)), pk=pk
        )
        return stream_evidence(
            version.file,
            filename=f"{version.document.title} v{version.number}.pdf",
            content_type="application/pdf",
            as_attachment=False,
        )


# --- The agent's own pages --------------------------------------------------------------------------------------------


class MyDocumentsView(LoginRequiredMixin, TemplateView):
    """The agent's documents: those to sign (the version in force, unsigned) and those signed."""

    template_name = f"{TEMPLATES}/my_documents.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_agent(request.user):
            return redirect("onboarding:document_list")  # a reminder's link, opened by a provider's manager
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agent = services.agent_of(self.request.user)
        documents = list(services.documents_for_agent(agent).order_by("title"))
        current = evidence.current_versions([d.pk for d in documents])
        versions = PolicyVersion.objects.select_related("document").in_bulk(current.values())
        signatures = list(
            Acknowledgement.objects.filter(agent=agent).select_related("version__document").order_by("-signed_at")
        )
        signed_ids = {s.version_id for s in signatures}
        context.update(
            agent=agent,
            to_sign=[versions[current[d.pk]] for d in documents if d.pk in current and current[d.pk] not in signed_ids],
            signatures=signatures,
            in_force=set(current.values()),
        )
        return context


class SignView(LoginRequiredMixin, FormView):
    form_class = SignForm
    template_name = f"{TEMPLATES}/sign.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        agent = services.agent_of(request.user)
        if agent is None:
            raise Http404("No such page.")
        self.version = get_object_or_404(
            PolicyVersion.objects.select_related("document").filter(document__in=services.documents_for_agent(agent)),
            pk=kwargs["pk"],
        )
        self.signature = Acknowledgement.objects.filter(version=self.version, agent=agent).first()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        in_force = evidence.current_versions([self.version.document_id]).get(self.version.document_id)
        return super().get_context_data(
            version=self.version, signature=self.signature, in_force=in_force == self.version.pk, **kwargs
        )

    def form_valid(self, form):
        try:
            with transaction.atomic():
                services.sign(self.version, self.request.user, form.cleaned_data["typed_name"], self.request)
        except DomainError as error:
            _form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"You signed “{self.version.document}” (version {self.version.number}).")
        return redirect("onboarding:my_documents")


# --- The BAA ----------------------------------------------------------------------------------------------------------


class BAAView(NotForAgentsMixin, LoginRequiredMixin, View):
    """An engagement's BAA: the one on record, every earlier record, and the form for either side's managers."""

    template_name = f"{TEMPLATES}/baa.html"

    def _engagement(self, request, pk):
        return get_object_or_404(engagements_for(request.user).select_related("practice", "provider"), pk=pk)

    def _render(self, request, engagement, form, status=200):
        records = BusinessAssociateAgreement.objects.filter(engagement=engagement).select_related("recorded_by")
        return render(
            request,
            self.template_name,
            {
                "engagement": engagement,
                "records": records,
                "on_record": records.first(),
                "form": form,
                "can_record": services.can_record_baa(request.user, engagement),
                "title": f"Business associate agreement · {engagement.name}",
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, self._engagement(request, pk), BAAForm())

    def post(self, request, pk):
        engagement = self._engagement(request, pk)
        if not services.can_record_baa(request.user, engagement):
            raise PermissionDenied("Either side's managers record the BAA.")
        form = BAAForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.record_baa(engagement, by=request.user, **form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, "The BAA is on record.")
                return redirect("onboarding:baa", engagement.pk)
        return self._render(request, engagement, form, status=400)


class BAAFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
        baa = get_object_or_404(BusinessAssociateAgreement.objects.for_user(request.user), pk=pk)
        return stream_evidence(baa.file, filename=f"BAA {baa.signed_on:%Y-%m-%d}.pdf", content_type="application/pdf")
