"""Shared bits of the calibration, coaching and sampling pages: finding the engagement a page is about."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect

from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.models import Engagement


class EngagementPageMixin(LoginRequiredMixin):
    """`self.engagement` is one the user may see (else 404); `write = True` also needs "change" (else 403)."""

    write = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = get_object_or_404(
            Engagement.objects.for_user(request.user).select_related("practice", "provider"), pk=kwargs["pk"]
        )
        self.can_manage = can_act_on(request.user, self.engagement, "change")
        if self.write and not self.can_manage:
            raise PermissionDenied("Only the engagement's managers can do this.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(engagement=self.engagement, can_manage=self.can_manage)
        return context


def run_service(request, call, success: str, redirect_to):
    """Call a service; show its DomainError as a message instead of a 500."""
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(redirect_to)
