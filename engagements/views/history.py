"""An engagement's full change history: filterable by what changed, who and when, and exported as CSV."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.views.generic import TemplateView

from bpo_portal.csv_export import SafeWriter
from bpo_portal.history import csv_rows, present
from bpo_portal.views import ScopedMixin
from engagements.history import engagement_log, kind_choices
from engagements.models import Engagement
from engagements.models.people import display_name


class HistoryFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(label="What", required=False, widget=forms.CheckboxSelectMultiple)
    who = forms.ChoiceField(label="Who", required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["who"].choices = [("", "Anyone"), *((str(user.pk), display_name(user)) for user in actors)]


class EngagementHistoryView(ScopedMixin, TemplateView):
    model = Engagement
    template_name = "engagements/engagement_history.html"
    per_page = 50

    def get(self, request, *args, **kwargs):
        self.engagement = get_object_or_404(self.scoped("view"), pk=kwargs["pk"])
        entries = engagement_log(self.engagement)
        actor_ids = entries.exclude(actor=None).values_list("actor_id", flat=True).distinct()
        self.form = HistoryFilterForm(request.GET or None, actors=get_user_model().objects.filter(pk__in=actor_ids))
        if self.form.is_valid():
            entries = self.filtered(entries, self.form.cleaned_data)
        if request.GET.get("_export") == "csv":
            return self.export(entries)
        self.entries = entries
        return super().get(request, *args, **kwargs)

    def filtered(self, entries, data):
        if data["kind"]:
            entries = engagement_log(self.engagement, kinds=data["kind"])
        if data["who"]:
            entries = entries.filter(actor_id=data["who"])
        if data["since"]:
            entries = entries.filter(timestamp__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(timestamp__date__lte=data["until"])
        return entries

    def export(self, entries):
        response = HttpResponse(content_type="text/csv")
        name = f"history-{slugify(self.engagement.name)}-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        SafeWriter(response).writerows(csv_rows(present(entries)))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.entries, self.per_page).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            engagement=self.engagement,
            title=f"History · {self.engagement.name}",
            form=self.form,
            page=page,
            groups=present(page.object_list),
            filtered=bool(self.form.is_bound and self.form.is_valid() and any(self.form.cleaned_data.values())),
            query=query.urlencode(),
        )
        return context
