"""Recognition and consequence: who passed every audit, who needs training and supervision; with CSV export."""

from django.utils import timezone
from django.utils.text import slugify
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin

from audits.services import recognition, sampling
from audits.tables.coaching import RecognitionTable
from audits.views.coaching_base import EngagementPageMixin
from bpo_portal.csv_export import ExportMixin


class RecognitionView(EngagementPageMixin, ExportMixin, SingleTableMixin, TemplateView):
    template_name = "audits/recognition.html"
    table_class = RecognitionTable
    table_pagination = {"per_page": 50}
    export_formats = ("csv",)

    def weeks(self) -> int:
        try:
            return max(1, min(26, int(self.request.GET.get("weeks", ""))))
        except ValueError:
            return sampling.policy_of(self.engagement).recognition_weeks

    def get_table_data(self):
        return recognition.recognition(self.engagement, weeks=self.weeks())

    def get_export_filename(self, export_format):
        return f"recognition-{slugify(self.engagement.name)}-{timezone.localdate():%Y-%m-%d}.{export_format}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "weeks": self.weeks(), "title": "Recognition and support"}
