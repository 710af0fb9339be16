"""Shared UI plumbing: list, detail, create, edit and delete views that apply the access rules once.

An app's views declare a model, a table, a FilterSet, a form and a template; the scope comes from the model's
`for_user(user, action)`. Objects outside the user's view scope answer 404; objects the user can see but not
change answer 403 on an edit.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views import View, defaults
from django.views.generic import CreateView, DeleteView, DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from bpo_portal.csv_export import ExportMixin
from bpo_portal.errors import LOCK_CONFLICT_MESSAGE, DomainError, is_lock_conflict
from bpo_portal.middleware import unavailable_response


class ScopedMixin(LoginRequiredMixin):
    """Everything a view reads or writes comes from `model.objects.for_user(user, action)`."""

    model = None
    select_related: tuple[str, ...] = ()

    def scoped(self, action: str = "view"):
        queryset = self.model.objects.for_user(self.request.user, action)
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def can(self, action: str, obj) -> bool:
        return self.model.objects.for_user(self.request.user, action).filter(pk=obj.pk).exists()


class ObjectListView(ScopedMixin, ExportMixin, SingleTableMixin, FilterView):
    """A filterable, sortable, paginated table with CSV export of exactly the filtered rows."""

    template_name = "generic/object_list.html"
    table_pagination = {"per_page": 25}
    export_formats = ("csv",)
    title = ""
    create_url_name = None

    def get_queryset(self):
        return self.scoped("view")

    def can_create(self) -> bool:
        return False

    def get_export_filename(self, export_format):
        return f"{slugify(self.title)}-{timezone.localdate():%Y-%m-%d}.{export_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["create_url_name"] = self.create_url_name if self.can_create() else None
        return context


class ObjectDetailView(ScopedMixin, DetailView):
    def get_queryset(self):
        return self.scoped("view")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.can("change", self.object)
        return context


class ServiceFormMixin:
    """Saves through `perform_save` in one transaction, turns a DomainError into a form error, and re-checks
    that the saved object is still inside the user's scope, so nobody can move a row into another tenant."""

    template_name = "generic/object_form.html"
    success_message = "Saved."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def perform_save(self, form):
        return form.save()

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.perform_save(form)
                if not self.model.objects.for_user(self.request.user, "view").filter(pk=self.object.pk).exists():
                    raise PermissionDenied("That change would put the record outside what you can see.")
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        except OperationalError as error:
            if not is_lock_conflict(error):
                raise
            form.add_error(None, LOCK_CONFLICT_MESSAGE)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class ObjectCreateView(ScopedMixin, ServiceFormMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.can_create():
            raise PermissionDenied("You cannot create this.")
        return super().dispatch(request, *args, **kwargs)

    def can_create(self) -> bool:
        return False


class EditableObjectMixin(ScopedMixin):
    """Finds the object among those the user may see (else 404), then requires `write_scope` on it (else 403)."""

    write_scope = "change"
    denied_message = "You can see this but not change it."

    def get_object(self, queryset=None):
        obj = get_object_or_404(self.scoped("view"), pk=self.kwargs["pk"])
        if not self.can(self.write_scope, obj):
            raise PermissionDenied(self.denied_message)
        return obj


class ObjectUpdateView(EditableObjectMixin, ServiceFormMixin, UpdateView):
    pass


class ObjectDeleteView(EditableObjectMixin, DeleteView):
    template_name = "generic/object_confirm_delete.html"

    def form_valid(self, form):
        success_url = self.get_success_url()
        try:
            with transaction.atomic():
                self.perform_delete(self.object)
        except DomainError as error:
            messages.error(self.request, error.message)
            return redirect(success_url)
        messages.success(self.request, f"Deleted {self.object}.")
        return redirect(success_url)

    def perform_delete(self, obj):
        obj.delete()


class ObjectActionView(EditableObjectMixin, View):
    """A POST-only action on one object (a status change, a revoke) that calls a service."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            with transaction.atomic():
                message = self.perform(obj)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect(self.get_success_url(obj))

    def perform(self, obj) -> str:
        raise NotImplementedError

    def get_success_url(self, obj):
        return obj.get_absolute_url()


def server_error(request):
    """handler500: a request that met the database away answers 503 with Retry-After; anything else, the 500 page."""
    if getattr(request, "database_away", None) is not None:
        return unavailable_response(request)
    return defaults.server_error(request)


def health(request):
    """Database and broker status for load balancers and `docker compose` health checks."""
    from django.db import connection

    from bpo_portal.celery import app

    report, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, and the message says which
        report["database"], healthy = f"error: {error.__class__.__name__}", False
    if app.conf.task_always_eager:
        report["broker"] = "embedded (tasks run in-process)"
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            report["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            report["broker"], healthy = f"error: {error.__class__.__name__}", False
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)
