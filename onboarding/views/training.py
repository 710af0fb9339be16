"""Training pages: the module library and the module editor (material, attachments, quiz questions), the curriculum
of each engagement, completions (list, a trainer's record), a practice's staff training, and the agent's own
training page with the quiz and its result.

Every object comes from its model's `for_user(user, "view")` (else 404); a write needs the change scope on it
(else 403) and goes through onboarding.services.training, whose refusal is shown on the form. An agent reaches
only their own training: their modules' material and quizzes, and their own attempts."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectDetailView, ObjectListView
from engagements.access import engagements_for, is_portal_admin, membership_of
from engagements.choices import Role
from engagements.models import Engagement
from engagements.views.diligence import stream_evidence
from onboarding.choices import AssessmentMethod
from onboarding.filters.training import CurriculumFilterSet, TrainingCompletionFilterSet, TrainingModuleFilterSet
from onboarding.forms import training as forms
from onboarding.models import (
    Choice,
    Curriculum,
    CurriculumItem,
    ModuleAttachment,
    Question,
    QuizAttempt,
    StaffTrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from onboarding.models.training_content import completions_for, engagements_of_agent, modules_of_agent
from onboarding.services import training as services
from onboarding.tables.training import CurriculumTable, TrainingCompletionTable, TrainingModuleTable

FORM_TEMPLATE = "onboarding/training/form.html"


def _is_manager(user) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.role == Role.MANAGER)


def _run(request, action, success: str) -> bool:
    """Run a service call in a transaction; a refusal becomes an error message. Returns whether it went through."""
    try:
        with transaction.atomic():
            action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


# --- The module library -----------------------------------------------------------------------------------------------


class ModuleListView(ObjectListView):
    model = TrainingModule
    table_class = TrainingModuleTable
    filterset_class = TrainingModuleFilterSet
    title = "Training modules"
    create_url_name = "onboarding:training_module_create"
    select_related = ("provider", "practice")

    def get_queryset(self):
        return super().get_queryset().annotate(question_count=Count("questions")).order_by("title", "pk")

    def can_create(self) -> bool:
        return _is_manager(self.request.user)


class ModuleDetailView(ObjectDetailView):
    """The module editor: its settings, material, attachments and quiz questions (with which choices are correct:
    this page is the trainers', never the agent's)."""

    model = TrainingModule
    template_name = "onboarding/training/module_detail.html"
    context_object_name = "module"
    select_related = ("provider", "practice", "assessment")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        module = self.object
        context.update(
            assessment=services.assessment_of(module),
            attachments=module.attachments.all(),
            questions=module.questions.prefetch_related("choices"),
            attachment_form=forms.AttachmentForm(),
            question_form=forms.QuestionForm(),
            curricula=Curriculum.objects.for_user(self.request.user)
            .filter(items__module=module)
            .select_related("engagement"),
        )
        return context


class ModuleFormView(LoginRequiredMixin, FormView):
    template_name = FORM_TEMPLATE
    form_class = forms.NewModuleForm
    module = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.module}

    def form_valid(self, form):
        fields = form.service_fields()
        try:
            with transaction.atomic():
                module = self.save(fields)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Module saved.")
        return redirect(module.get_absolute_url())

    def get_context_data(self, **kwargs):
        cancel = self.module.get_absolute_url() if self.module else reverse("onboarding:training_module_list")
        return super().get_context_data(title=self.title(), cancel_url=cancel, **kwargs)


class ModuleCreateView(ModuleFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _is_manager(request.user):
            raise PermissionDenied("Only a provider's or a practice's managers create training modules.")
        return super().dispatch(request, *args, **kwargs)

    def title(self):
        return "New training module"

    def save(self, fields):
        return services.create_module(by=self.request.user, **fields)


class ModuleEditMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.module = get_object_or_404(TrainingModule.objects.for_user(request.user), pk=kwargs["pk"])
        if not TrainingModule.objects.for_user(request.user, "change").filter(pk=self.module.pk).exists():
            raise PermissionDenied("Only the managers of the module's owner change it.")
        return super().dispatch(request, *args, **kwargs)


class ModuleUpdateView(ModuleEditMixin, ModuleFormView):
    form_class = forms.ModuleForm

    def title(self):
        return f"Edit {self.module}"

    def save(self, fields):
        return services.update_module(self.module, by=self.request.user, **fields)


class AttachmentAddView(ModuleEditMixin, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        form = forms.AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        else:
            _run(
                request,
                lambda: services.add_attachment(self.module, form.cleaned_data["file"], by=request.user),
                "File attached.",
            )
        return redirect(self.module.get_absolute_url())


class QuestionAddView(ModuleEditMixin, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        form = forms.QuestionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Write the question and its choices.")
        else:
            _run(
                request,
                lambda: services.add_question(
                    self.module, text=form.cleaned_data["text"], choices=form.choices(), by=request.user
                ),
                "Question added.",
            )
        return redirect(self.module.get_absolute_url())


class ChildDeleteView(LoginRequiredMixin, View):
    """Deletes an attachment or a question of a module the user may change."""

    http_method_names = ["post"]
    model = None

    def post(self, request, pk):
        child = get_object_or_404(self.model.objects.for_user(request.user).select_related("module"), pk=pk)
        if not self.model.objects.for_user(request.user, "change").filter(pk=child.pk).exists():
            raise PermissionDenied("Only the managers of the module's owner change it.")
        _run(request, lambda: self.delete(child), "Deleted.")
        return redirect(child.module.get_absolute_url())


class AttachmentDeleteView(ChildDeleteView):
    model = ModuleAttachment

    def delete(self, child):
        services.delete_attachment(child, by=self.request.user)


class QuestionDeleteView(ChildDeleteView):
    model = Question

    def delete(self, child):
        services.delete_question(child, by=self.request.user)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Streams a module's file to those who may see the module (and to the agents whose curricula hold it)."""

    def get(self, request, pk):
        attachment = get_object_or_404(ModuleAttachment.objects.for_user(request.user), pk=pk)
        return stream_evidence(attachment.file, filename=attachment.name, content_type=attachment.content_type)


# --- Curricula --------------------------------------------------------------------------------------------------------


class CurriculumListView(ObjectListView):
    model = Curriculum
    table_class = CurriculumTable
    filterset_class = CurriculumFilterSet
    title = "Curricula"
    select_related = ("engagement", "engagement__practice", "engagement__provider")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(item_count=Count("items"), required_count=Count("items", filter=Q(items__required=True)))
            .order_by("engagement__name", "pk")
        )


class CurriculumView(ObjectDetailView):
    """An engagement's curriculum: its modules in order, required or not; its managers add, remove and reorder."""

    model = Engagement
    template_name = "onboarding/training/curriculum.html"
    context_object_name = "engagement"
    select_related = ("practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        can_change = engagements_for(self.request.user, "change").filter(pk=engagement.pk).exists()
        context.update(
            items=services.curriculum_items(engagement).select_related(
                "scorecard", "module__provider", "module__practice"
            ),
            privacy_law=services.privacy_law_for(engagement.practice),
            can_change=can_change,
            form=forms.CurriculumItemForm(engagement=engagement) if can_change else None,
        )
        return context


class CurriculumEngagementMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def engagement_for_change(self, engagement_id):
        engagement = get_object_or_404(Engagement.objects.for_user(self.request.user), pk=engagement_id)
        if not engagements_for(self.request.user, "change").filter(pk=engagement.pk).exists():
            raise PermissionDenied("Only the engagement's managers change its curriculum.")
        return engagement


class CurriculumAddView(CurriculumEngagementMixin, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        engagement = self.engagement_for_change(pk)
        form = forms.CurriculumItemForm(request.POST, engagement=engagement)
        if not form.is_valid():
            messages.error(request, "Choose a module of the provider's library or the practice's own.")
        else:
            data = form.cleaned_data
            _run(
                request,
                lambda: services.add_to_curriculum(
                    engagement,
                    data["module"],
                    by=request.user,
                    required=data["required"],
                    scorecard=data["scorecard"],
                ),
                f"Added “{data['module']}” to the curriculum.",
            )
        return redirect("onboarding:training_curriculum", pk=engagement.pk)


class CurriculumItemActionView(CurriculumEngagementMixin, LoginRequiredMixin, View):
    """Remove an item, move it up or down, or toggle whether it is required."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        item = get_object_or_404(CurriculumItem.objects.for_user(request.user).select_related("curriculum"), pk=pk)
        self.engagement_for_change(item.curriculum.engagement_id)
        by = request.user
        actions = {
            "up": (lambda: services.move_item(item, -1, by=by), "Moved up."),
            "down": (lambda: services.move_item(item, 1, by=by), "Moved down."),
            "remove": (lambda: services.remove_from_curriculum(item, by=by), "Removed from the curriculum."),
            "required": (lambda: services.set_required(item, not item.required, by=by), "Saved."),
        }
        if action not in actions:
            raise Http404("No such action.")
        _run(request, *actions[action])
        return redirect("onboarding:training_curriculum", pk=item.curriculum.engagement_id)


# --- Completions ------------------------------------------------------------------------------------------------------


class CompletionListView(ObjectListView):
    model = TrainingCompletion
    table_class = TrainingCompletionTable
    filterset_class = TrainingCompletionFilterSet
    title = "Training completions"
    create_url_name = "onboarding:training_completion_record"
    select_related = ("agent", "person", "module")

    def get_queryset(self):
        return completions_for(self.request.user).select_related(*self.select_related)

    def can_create(self) -> bool:
        return _is_manager(self.request.user) or is_portal_admin(self.request.user)


class CompletionRecordView(LoginRequiredMixin, FormView):
    """A trainer records a passed module: the provider's managers for its agents, a practice's for its staff."""

    template_name = FORM_TEMPLATE
    form_class = forms.CompletionForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (_is_manager(request.user) or is_portal_admin(request.user)):
            raise PermissionDenied("Only a provider's or a practice's managers record training.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.record_by_trainer(
                    data["module"],
                    by=self.request.user,
                    passed_on=data["passed_on"],
                    agent=data.get("agent"),
                    person=data.get("person"),
                    score=data.get("score"),
                )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Completion recorded.")
        return redirect("onboarding:training_completion_list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Record a completion", cancel_url=reverse("onboarding:training_completion_list"), **kwargs
        )


# --- A practice's own staff training (change management) --------------------------------------------------------------


class StaffTrainingView(LoginRequiredMixin, FormView):
    """A practice's modules assigned to its own people, each with whether they have passed it; its managers
    assign. A staff member sees their own assignments."""

    template_name = "onboarding/training/staff.html"
    form_class = forms.StaffAssignmentForm

    def dispatch(self, request, *args, **kwargs):
        membership = membership_of(request.user)
        if request.user.is_authenticated and not (membership and membership.practice_id):
            raise Http404("This page is a practice's.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.assign_to_staff(data["module"], data["person"], by=self.request.user, due_on=data["due_on"])
        except (DomainError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                raise
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Module assigned.")
        return redirect("onboarding:training_staff_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assignments = list(
            StaffTrainingAssignment.objects.for_user(user).select_related("module", "person").order_by("due_on", "pk")
        )
        passed = set(
            TrainingCompletion.objects.filter(
                person_id__in=[a.person_id for a in assignments], module_id__in=[a.module_id for a in assignments]
            )
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=timezone.localdate()))
            .values_list("person_id", "module_id")
        )
        for assignment in assignments:
            assignment.is_passed = (assignment.person_id, assignment.module_id) in passed
        context.update(assignments=assignments, can_assign=membership_of(user).is_manager)
        return context


# --- The agent's own training -----------------------------------------------------------------------------------------


class AgentOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agent = services.agent_of(request.user)
        if self.agent is None:
            raise Http404("This page is for agents.")
        return super().dispatch(request, *args, **kwargs)


class MyTrainingView(AgentOnlyMixin, TemplateView):
    """The agent's modules on each engagement, with status, attempts left and renewals due."""

    template_name = "onboarding/training/me.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        engagements = engagements_of_agent(self.agent.pk).distinct().select_related("practice")
        plans = []
        for engagement in engagements:
            rows = services.standing(self.agent, engagement, today)
            required = [row for row in rows if row.item.required]
            done = sum(row.status in ("current", "expiring") for row in required)
            plans.append(
                {
                    "engagement": engagement,
                    "rows": rows,
                    "done": done,
                    "total": len(required),
                    "percent": round(done * 100 / len(required)) if required else 100,
                }
            )
        context.update(
            title="My training",
            agent=self.agent,
            plans=plans,
            renewals=[row for plan in plans for row in plan["rows"] if row.status in ("expiring", "expired")],
        )
        return context


class MyModuleView(AgentOnlyMixin, TemplateView):
    """A module's material and files for the agent, and the button that starts its quiz. No answers here."""

    template_name = "onboarding/training/my_module.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        module = get_object_or_404(
            TrainingModule.objects.filter(pk__in=modules_of_agent(self.agent.pk)).select_related("assessment"),
            pk=self.kwargs["pk"],
        )
        context.update(
            title=module.title,
            module=module,
            assessment=services.assessment_of(module),
            attachments=module.attachments.all(),
            question_count=module.questions.count(),
            attempts_left=services.attempts_left(self.agent, module),
            attempts=QuizAttempt.objects.filter(agent=self.agent, module=module, submitted_at__isnull=False),
            quiz=AssessmentMethod.QUIZ,
        )
        return context


class StartQuizView(AgentOnlyMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        module = get_object_or_404(TrainingModule.objects.filter(pk__in=modules_of_agent(self.agent.pk)), pk=pk)
        try:
            with transaction.atomic():
                attempt = services.start_attempt(module, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("onboarding:training_my_module", pk=module.pk)
        return redirect(attempt.get_absolute_url())


class AttemptView(LoginRequiredMixin, FormView):
    """An open attempt: the questions and their choices (text and ids only). Submitted: the score and whether it
    passed, with which answers were right. The agent's own; their trainers read submitted ones."""

    template_name = "onboarding/training/attempt.html"
    form_class = forms.QuizForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.attempt = get_object_or_404(
            QuizAttempt.objects.for_user(request.user).select_related("module", "agent"), pk=kwargs["pk"]
        )
        agent = services.agent_of(request.user)
        self.is_own = agent is not None and agent.pk == self.attempt.agent_id
        if self.attempt.submitted_at is None and not self.is_own:
            raise Http404("Only the agent sees a quiz under way.")
        return super().dispatch(request, *args, **kwargs)

    def questions(self):
        return self.attempt.module.questions.prefetch_related(
            Prefetch("choices", queryset=Choice.objects.only("pk", "text", "question_id", "position"))
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "questions": self.questions()}

    def post(self, request, *args, **kwargs):
        if not self.is_own:
            raise PermissionDenied("Only the agent submits their own quiz.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                services.submit_attempt(self.attempt, form.answers(), by=self.request.user)
        except DomainError as error:
            messages.error(self.request, error.message)
        return redirect(self.attempt.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attempt = self.attempt
        context.update(title=f"Quiz: {attempt.module}", attempt=attempt, is_own=self.is_own)
        if attempt.submitted_at is not None:
            context.pop("form", None)
            results = []
            for question in attempt.module.questions.prefetch_related("choices"):
                picked = set(attempt.answers.get(str(question.pk), []))
                correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
                results.append({"question": question, "picked": picked, "right": picked == correct})
            context.update(
                results=results,
                attempts_left=services.attempts_left(attempt.agent, attempt.module),
            )
        return context
