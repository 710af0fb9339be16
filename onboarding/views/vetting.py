"""Vetting pages: the engagement's hiring profile (its required assessments), recording a candidate's result,
sending the typing-test link, and the typing test itself — a public page reached only through its one-time link."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import FormView, TemplateView

from bpo_portal.errors import DomainError
from engagements.access import engagements_for
from onboarding.forms.vetting import RequirementForm, ResultForm, TypingLinkForm
from onboarding.models import AssessmentRequirement, HiringProfile
from onboarding.services import vetting
from onboarding.views.pipeline import NotForAgentsMixin, OnboardingActionMixin, ProviderActionMixin


class HiringProfileView(NotForAgentsMixin, TemplateView):
    template_name = "onboarding/vetting/hiring_profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = get_object_or_404(engagements_for(self.request.user), pk=self.kwargs["pk"])
        profile = HiringProfile.objects.filter(engagement=engagement).first()
        context.update(
            engagement=engagement,
            profile=profile,
            requirements=profile.assessment_requirements.select_related("scorecard")
            if profile
            else AssessmentRequirement.objects.none(),
            can_edit=vetting.may_edit_profile(self.request.user, engagement),
        )
        return context


class RequirementSetView(ProviderActionMixin, FormView):
    form_class = RequirementForm

    def get_engagement(self):
        return get_object_or_404(engagements_for(self.request.user), pk=self.kwargs["pk"])

    def allowed(self) -> bool:
        return vetting.may_edit_profile(self.request.user, self.engagement)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Require an assessment — {self.engagement.name}",
            cancel_url=self.engagement_profile_url(),
            **kwargs,
        )

    def engagement_profile_url(self):
        from django.urls import reverse

        return reverse("onboarding:hiring_profile", args=[self.engagement.pk])

    def perform(self, form):
        data = form.cleaned_data
        requirement = vetting.set_requirement(
            self.engagement,
            data["kind"],
            by=self.request.user,
            required=data["required"],
            min_cefr=data["min_cefr"],
            min_score=data["min_score"],
            min_accuracy=data["min_accuracy"],
            scorecard=data["scorecard"],
        )
        return f"The hiring profile requires {requirement}.", self.engagement_profile_url()


class RequirementRemoveView(NotForAgentsMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        requirement = get_object_or_404(
            AssessmentRequirement.objects.for_user(request.user).select_related("profile__engagement"), pk=pk
        )
        try:
            with transaction.atomic():
                vetting.remove_requirement(requirement, by=request.user)
        except DomainError as error:
            raise PermissionDenied(error.message) from None
        messages.success(request, f"No longer required: {requirement.get_kind_display()}.")
        return redirect(requirement.get_absolute_url())


class ResultAddView(OnboardingActionMixin, FormView):
    form_class = ResultForm

    def allowed(self) -> bool:
        return vetting.may_record(self.request.user, self.engagement)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Record an assessment result for {self.onboarding.agent}", **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        result = vetting.record_result(
            self.onboarding,
            data["kind"],
            by=self.request.user,
            test_name=data["test_name"],
            taken_on=data["taken_on"],
            raw_score=data["raw_score"],
            cefr_level=data["cefr_level"],
            net_wpm=data["net_wpm"],
            accuracy=data["accuracy"],
            passed=data["passed"],
            scorecard_version=data["scorecard_version"],
            note=data["note"],
        )
        return f"Recorded: {result}.", self.onboarding.get_absolute_url()


class TypingLinkSendView(OnboardingActionMixin, FormView):
    form_class = TypingLinkForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Send {self.onboarding.agent} a typing test", **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                link, url = vetting.send_typing_test(
                    self.onboarding, by=self.request.user, email=form.cleaned_data["email"]
                )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        return render(
            self.request,
            "onboarding/vetting/typing_link_sent.html",
            {"link": link, "url": url, "onboarding": self.onboarding},
        )


class TypingTestView(View):
    """The candidate's typing test: public, reached only through a usable one-time link (anything else is 404).
    GET shows the passage; POST takes the keystroke log as JSON and answers the server's own score."""

    http_method_names = ["get", "post"]

    def get(self, request, token):
        link = vetting.find_typing_link(token)
        if link is None:
            raise Http404("This typing-test link has expired or has already been used.")
        return render(request, "onboarding/vetting/typing_test.html", {"link": link})

    def post(self, request, token):
        if vetting.find_typing_link(token) is None:
            raise Http404("This typing-test link has expired or has already been used.")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"detail": "The body is not JSON."}, status=400)
        if not isinstance(body, dict):
            return JsonResponse({"detail": "Send an object with the keystrokes."}, status=400)
        try:
            result = vetting.submit_typing_test(token, body.get("keystrokes"))  # any claimed WPM is ignored
        except DomainError as error:
            return JsonResponse({"detail": error.message}, status=400)
        return JsonResponse(
            {"net_wpm": str(result.net_wpm), "gross_wpm": str(result.gross_wpm), "accuracy": str(result.accuracy)}
        )
