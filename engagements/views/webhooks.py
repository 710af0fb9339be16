"""Webhook endpoints in the UI, next to API tokens: register one (its secret shown once), see its delivery log,
redeliver, switch it off or on, delete it. Every rule is in `engagements.services.webhooks`."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import ObjectActionView, ObjectDetailView
from engagements.forms.webhooks import WebhookEndpointForm
from engagements.models import WebhookDelivery, WebhookEndpoint
from engagements.services import webhooks

LOG_LENGTH = 100


class WebhookListView(LoginRequiredMixin, TemplateView):
    template_name = "engagements/webhooks/webhook_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = WebhookEndpoint.objects.for_user(self.request.user).select_related("owner")
        context["can_register"] = webhooks.may_register(self.request.user)
        context["form"] = kwargs.get("form") or WebhookEndpointForm()
        return context


@method_decorator(never_cache, name="dispatch")
class WebhookCreateView(LoginRequiredMixin, View):
    """Registers an endpoint and shows its secret this once; the page is never cached."""

    http_method_names = ["post"]

    def post(self, request):
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = webhooks.create_endpoint(by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                context = {"endpoint": endpoint, "secret": secret}
                return render(request, "engagements/webhooks/webhook_created.html", context)
        # The list page again, with the form's errors in place.
        page = WebhookListView()
        page.setup(request)
        return render(request, page.template_name, page.get_context_data(form=form), status=400)


class WebhookDetailView(ObjectDetailView):
    model = WebhookEndpoint
    template_name = "engagements/webhooks/webhook_detail.html"
    context_object_name = "endpoint"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deliveries = self.object.deliveries.select_related("event").order_by("-created_at", "-pk")
        context["deliveries"] = deliveries[:LOG_LENGTH]
        context["event_types"] = webhooks.EVENT_TYPES
        return context


class WebhookToggleView(ObjectActionView):
    model = WebhookEndpoint

    def perform(self, endpoint):
        endpoint = webhooks.update_endpoint(endpoint, by=self.request.user, is_active=not endpoint.is_active)
        return "Endpoint switched on." if endpoint.is_active else "Endpoint switched off: nothing is sent to it."


class WebhookDeleteView(ObjectActionView):
    model = WebhookEndpoint

    def perform(self, endpoint):
        webhooks.delete_endpoint(endpoint, by=self.request.user)
        return f"Webhook endpoint {endpoint.url} deleted."

    def get_success_url(self, obj):
        return reverse("engagements:webhook_list")


class WebhookRedeliverView(ObjectActionView):
    model = WebhookDelivery

    def perform(self, delivery):
        webhooks.redeliver(delivery, by=self.request.user)
        return f"Redelivery of {delivery.event.event_type} queued."

    def get_success_url(self, obj):
        return obj.endpoint.get_absolute_url()


urlpatterns = [
    path("webhooks/", WebhookListView.as_view(), name="webhook_list"),
    path("webhooks/new/", WebhookCreateView.as_view(), name="webhook_create"),
    path("webhooks/<int:pk>/", WebhookDetailView.as_view(), name="webhook_detail"),
    path("webhooks/<int:pk>/toggle/", WebhookToggleView.as_view(), name="webhook_toggle"),
    path("webhooks/<int:pk>/delete/", WebhookDeleteView.as_view(), name="webhook_delete"),
    path("webhooks/deliveries/<int:pk>/redeliver/", WebhookRedeliverView.as_view(), name="webhook_redeliver"),
]
