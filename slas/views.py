"""The SLA engine's pages. (Being built out: SLA page, portfolio, uploads, remediation.)"""

from bpo_portal.views import ObjectDetailView
from engagements.models import Engagement
from slas.models import Breach, IngestBatch


class EngagementSLAView(ObjectDetailView):
    model = Engagement
    template_name = "slas/engagement_slas.html"


class BreachDetailView(ObjectDetailView):
    model = Breach
    template_name = "slas/breach_detail.html"


class BatchDetailView(ObjectDetailView):
    model = IngestBatch
    template_name = "slas/batch_detail.html"
