"""The SLA engine's pages: an engagement's SLAs, the portfolio, KPI and breach lists, remediation, CSV uploads.

Views read through the models' `for_user` scopes and change state only through slas.services; every number on a
page comes from the KPI values the rollups computed, in a fixed number of queries whatever the data size.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, DateField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from bpo_portal.errors import DomainError
from bpo_portal.views import (
    EditableObjectMixin,
    ObjectActionView,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from engagements.access import can_act_on, engagements_for
from engagements.models import Engagement, ServiceLine
from slas import evidence, ingest, services
from slas.choices import BreachStatus, IngestSource, KPIStatus
from slas.filters import (
    BreachFilterSet,
    IngestBatchFilterSet,
    KPIValueFilterSet,
    MeasurementCorrectionFilterSet,
    PortfolioFilterSet,
)
from slas.forms import DecisionForm, MeasurementUploadForm, RemediationPlanForm, SLATargetForm
from slas.models import (
    Breach,
    IngestBatch,
    KPIValue,
    MeasurementCorrection,
    MeasurementDay,
    Metric,
    RemediationPlan,
    SLATarget,
)
from slas.periods import engagement_closed_before, label, last_periods, local_today, period_start
from slas.rollups import format_value
from slas.tables import BreachTable, IngestBatchTable, KPIValueTable, MeasurementCorrectionTable

TREND_PERIODS = 12
JUDGED = (KPIStatus.MET, KPIStatus.WARNING, KPIStatus.BREACH)
TARGET_RELATED = (
    "target__metric",
    "target__service_line",
    "target__engagement__practice",
    "target__engagement__provider",
)


# --- An engagement's SLA page ----------------------------------------------------------------------------------------


@dataclass
class TargetTrend:
    """One target on the SLA page: its last closed period (the headline: judged, with its breach if any), the
    period under way so far (provisional), its last 12 periods and its recent breaches."""

    target: SLATarget
    periods: list
    closed_before: object = None  # periods ending before this day are closed (slas.periods.closed_before)
    today: object = None
    kpis: dict = field(default_factory=dict)  # {period start: KPIValue}
    breaches: list = field(default_factory=list)

    @property
    def last_closed(self) -> KPIValue | None:
        closed = [kpi for start, kpi in self.kpis.items() if kpi.period_end < self.closed_before]
        return max(closed, key=lambda kpi: kpi.period_start, default=None)

    @property
    def last_closed_breach(self) -> Breach | None:
        kpi = self.last_closed
        return next((b for b in self.breaches if kpi and b.period_start == kpi.period_start), None)

    @property
    def status(self) -> str:
        """The headline's status: the last closed period's."""
        return self.last_closed.status if self.last_closed else "none"

    @property
    def current(self) -> KPIValue | None:
        """The period under way, so far: provisional, never a breach."""
        return self.kpis.get(self.periods[-1])

    @property
    def current_label(self) -> str:
        return label(self.periods[-1], self.target.period)

    @property
    def current_progress(self) -> evidence.Progress | None:
        return evidence.progress(self.current, self.today) if self.current else None

    @property
    def in_grace(self) -> list[KPIValue]:
        """Periods that have ended but are still within the grace for late data: provisional too."""
        return sorted(
            (
                kpi
                for start, kpi in self.kpis.items()
                if start != self.periods[-1] and kpi.period_end >= self.closed_before
            ),
            key=lambda kpi: kpi.period_start,
        )

    def chart(self) -> dict:
        def number(value):
            return float(value) if value is not None else None

        values = [self.kpis[start].value if start in self.kpis else None for start in self.periods]
        return {
            "id": self.target.pk,
            "metric": self.target.metric.name,
            "unit": self.target.metric.unit,
            "labels": [label(start, self.target.period) for start in self.periods],
            "values": [number(value) for value in values],
            "statuses": [self.kpis[start].status if start in self.kpis else None for start in self.periods],
            "threshold": number(self.target.threshold),
            "warning": number(self.target.warning_threshold),
        }


def trend_window(trends: list[TargetTrend]) -> Q:
    """Each grain's oldest charted period: one condition that fetches every target's 12 periods in one query."""
    firsts: dict[str, object] = {}
    for trend in trends:
        grain, first = trend.target.period, trend.periods[0]
        firsts[grain] = min(first, firsts.get(grain, first))
    condition = Q(pk__in=[])
    for grain, first in firsts.items():
        condition |= Q(target__period=grain, period_start__gte=first)
    return condition


def target_trends(engagement: Engagement) -> list[TargetTrend]:
    today = local_today(engagement.practice.timezone)
    closed_before = engagement_closed_before(engagement, today)
    targets = engagement.sla_targets.select_related("metric", "service_line")
    trends = {}
    for target in targets:
        target.engagement = engagement
        trends[target.pk] = TargetTrend(target, last_periods(today, target.period, TREND_PERIODS), closed_before, today)
    if not trends:
        return []
    window = trend_window(list(trends.values()))
    for kpi in KPIValue.objects.filter(window, target__engagement=engagement):
        kpi.target = trends[kpi.target_id].target
        trends[kpi.target_id].kpis[kpi.period_start] = kpi
    plans = Prefetch("remediation_plans", queryset=RemediationPlan.objects.order_by("-submitted_at", "-pk"))
    breaches = Breach.objects.filter(window | Q(status=BreachStatus.OPEN), target__engagement=engagement)
    for breach in breaches.prefetch_related(plans):
        trend = trends[breach.target_id]
        breach.target = trend.target  # already loaded: saves a query per breach for its label
        trend.breaches.append(breach)
    return list(trends.values())


class EngagementSLAView(ObjectDetailView):
    model = Engagement
    template_name = "slas/engagement_slas.html"
    select_related = ("practice", "provider")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trends = target_trends(self.object)
        context["trends"] = trends
        context["charts"] = [trend.chart() for trend in trends]
        context["can_manage"] = self.can("manage_contract", self.object) and not self.object.is_ended
        context["can_submit"] = self.can("submit_measurements", self.object)
        context["today"] = local_today(self.object.practice.timezone)
        return context


# --- Targets ---------------------------------------------------------------------------------------------------------


class TargetCreateView(ObjectCreateView):
    model = SLATarget
    form_class = SLATargetForm
    success_message = "Target saved. Its KPIs are being computed from the measurements already received."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.engagement = get_object_or_404(Engagement.objects.for_user(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def can_create(self):
        return can_act_on(self.request.user, self.engagement, "manage_contract")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "engagement": self.engagement}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"New SLA target — {self.engagement.name}"
        context["cancel_url"] = reverse("slas:engagement_slas", args=[self.engagement.pk])
        return context

    def perform_save(self, form):
        return services.save_target(form.instance, by=self.request.user)


class TargetUpdateView(ObjectUpdateView):
    model = SLATarget
    form_class = SLATargetForm
    select_related = ("engagement", "metric")
    denied_message = "Only the practice's managers set SLA targets."
    success_message = "Target saved. Its KPIs are being recomputed."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Edit SLA target — {self.object.engagement.name}"
        return context

    def perform_save(self, form):
        return services.save_target(form.instance, by=self.request.user)


# --- Portfolio -------------------------------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    engagement: Engagement
    cells: list  # one list of targets per metric column
    open_breaches: int = 0
    open_warnings: int = 0


def latest_judged(targets, closed_before: dict):
    """Annotate each target with its latest judged KPI value (met, warning or breach) of a closed period, by its
    engagement's calendar and grace ({engagement id: closed before}) — one query."""
    cutoff = Case(
        *[When(engagement_id=pk, then=Value(day)) for pk, day in closed_before.items()], output_field=DateField()
    )
    latest = KPIValue.objects.filter(
        target=OuterRef("pk"), status__in=JUDGED, period_end__lt=OuterRef("closed_before")
    ).order_by("-period_start")
    return targets.annotate(closed_before=cutoff, latest_kpi_id=Subquery(latest.values("pk")[:1]))


def _current_kpis(targets, todays: dict) -> dict[int, KPIValue]:
    """{target id: its KPI value of the period under way}, in one query."""
    wanted = Q(pk__in=[])
    for target in targets:
        wanted |= Q(target_id=target.pk, period_start=period_start(todays[target.engagement_id], target.period))
    return {kpi.target_id: kpi for kpi in KPIValue.objects.filter(wanted)}


def portfolio_rows(engagements, metrics_out: list) -> list[PortfolioRow]:
    ids = [engagement.pk for engagement in engagements]
    by_id = {engagement.pk: engagement for engagement in engagements}
    todays = {engagement.pk: local_today(engagement.practice.timezone) for engagement in engagements}
    closed_before = {pk: engagement_closed_before(by_id[pk], today) for pk, today in todays.items()}
    targets = SLATarget.objects.filter(engagement__in=ids).select_related("metric", "service_line")
    targets = list(latest_judged(targets, closed_before)) if ids else []
    kpis = KPIValue.objects.in_bulk([t.latest_kpi_id for t in targets if t.latest_kpi_id])
    current = _current_kpis(targets, todays)
    metrics = sorted({t.metric for t in targets}, key=lambda m: (m.sort_order, m.name))
    metrics_out.extend(metrics)
    cells = {}
    for target in targets:
        target.engagement = by_id[target.engagement_id]
        target.latest = kpis.get(target.latest_kpi_id)
        if target.latest is not None:
            target.latest.target = target
        target.current = current.get(target.pk)
        target.at_risk = False
        if target.current is not None:
            target.current.target = target
            progress = evidence.progress(target.current, todays[target.engagement_id])
            target.at_risk = progress.outlook == evidence.AT_RISK
        cells.setdefault((target.engagement_id, target.metric_id), []).append(target)
    counts = (
        Breach.objects.filter(target__engagement__in=ids, status=BreachStatus.OPEN)
        .values_list("target__engagement", "severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    open_counts = {(engagement_id, severity): n for engagement_id, severity, n in counts}
    return [
        PortfolioRow(
            engagement,
            [cells.get((engagement.pk, metric.pk), []) for metric in metrics],
            open_counts.get((engagement.pk, "breach"), 0),
            open_counts.get((engagement.pk, "warning"), 0),
        )
        for engagement in engagements
    ]


class PortfolioView(LoginRequiredMixin, TemplateView):
    """All my live engagements × the metrics they have targets on, each cell the latest judged period."""

    template_name = "slas/portfolio.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        engagements = (
            Engagement.objects.for_user(user)
            .active()
            .select_related("practice", "provider")
            .order_by("practice__name", "provider__name", "name", "pk")
        )
        context["filter"] = PortfolioFilterSet(self.request.GET or None, queryset=engagements, request=self.request)
        engagements = context["filter"].qs
        page = Paginator(engagements, self.paginate_by).get_page(self.request.GET.get("page"))
        metrics = []
        context["rows"] = portfolio_rows(list(page.object_list), metrics)
        context["metrics"] = metrics
        context["page_obj"] = page
        totals = Breach.objects.for_user(user).unresolved().values_list("severity").annotate(n=Count("pk")).order_by()
        context["open_totals"] = dict(totals)
        context["can_submit"] = engagements_for(user, "submit_measurements").exists()
        return context


# --- KPI values and breaches -----------------------------------------------------------------------------------------


class KPIValueListView(ObjectListView):
    model = KPIValue
    table_class = KPIValueTable
    filterset_class = KPIValueFilterSet
    title = "KPI values"
    template_name = "slas/object_list.html"
    select_related = TARGET_RELATED

    def get_queryset(self):
        return super().get_queryset().order_by("-period_start", "target__engagement__name", "target__metric", "pk")


class BreachListView(ObjectListView):
    model = Breach
    table_class = BreachTable
    filterset_class = BreachFilterSet
    title = "SLA breaches"
    template_name = "slas/object_list.html"
    select_related = TARGET_RELATED

    def get_queryset(self):
        latest_plan = RemediationPlan.objects.filter(breach=OuterRef("pk")).order_by("-submitted_at", "-pk")
        return (
            super()
            .get_queryset()
            .annotate(latest_plan_status=Subquery(latest_plan.values("status")[:1]))
            .order_by("-period_start", "-pk")
        )


class BreachDetailView(ObjectDetailView):
    model = Breach
    template_name = "slas/breach_detail.html"
    select_related = TARGET_RELATED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breach, user = self.object, self.request.user
        engagement = breach.target.engagement
        plans = list(breach.remediation_plans.select_related("submitted_by", "decided_by"))
        can_answer = can_act_on(user, engagement, "answer_breaches")
        context.update(
            engagement=engagement,
            kpi=KPIValue.objects.filter(target=breach.target, period_start=breach.period_start).first(),
            daily=daily_evidence(breach),
            plans=plans,
            can_answer=can_answer,
            can_decide=can_act_on(user, engagement, "manage_contract"),
            can_propose=can_answer and breach.status != BreachStatus.CLOSED and not any(p.is_live for p in plans),
            decision_form=DecisionForm(),
        )
        return context


def daily_evidence(breach: Breach) -> list[dict]:
    """The breached period's measurements summed by day (at most 31 rows, one query of the days the rollup
    summed), with each day's KPI."""
    target = breach.target
    measurements = MeasurementDay.objects.filter(
        engagement_id=target.engagement_id,
        metric_id=target.metric_id,
        date__range=(breach.period_start, breach.period_end),
    )
    if target.service_line_id:
        measurements = measurements.filter(line=target.service_line_id)
    days = measurements.values("date").annotate(
        numerator=Sum("numerator"), denominator=Sum("denominator"), rows=Sum("row_count")
    )
    return [
        {**day, "value": format_value(target.metric.kpi_value(day["numerator"], day["denominator"]), target.metric)}
        for day in days.order_by("date")
    ]


# --- Remediation -----------------------------------------------------------------------------------------------------


class RemediationPlanCreateView(EditableObjectMixin, FormView):
    """The provider answers a breach with what it will do, who owns it, and by when."""

    model = Breach
    write_scope = "answer_breaches"
    denied_message = "Only the provider's managers propose remediation plans."
    select_related = TARGET_RELATED
    form_class = RemediationPlanForm
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.breach = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Remediation plan — {self.breach}"
        context["cancel_url"] = self.breach.get_absolute_url()
        return context

    def form_valid(self, form):
        try:
            services.submit_remediation_plan(self.breach, by=self.request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Remediation plan sent to the practice for a decision.")
        return redirect(self.breach.get_absolute_url())


class RemediationActionView(ObjectActionView):
    model = RemediationPlan
    select_related = ("breach__target__metric", "breach__target__engagement")


class DecidePlanView(RemediationActionView):
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers decide on remediation plans."

    def perform(self, plan):
        form = DecisionForm(self.request.POST)
        if not form.is_valid():
            raise DomainError("Choose to accept or reject the plan.")
        accept = form.cleaned_data["decision"] == "accept"
        plan = services.decide_remediation_plan(
            plan, by=self.request.user, accept=accept, note=form.cleaned_data["note"]
        )
        return f"Remediation plan {plan.get_status_display().lower()}."


class CompletePlanView(RemediationActionView):
    write_scope = "answer_breaches"
    denied_message = "Only the provider's managers report a plan done."

    def perform(self, plan):
        services.complete_remediation_plan(plan, by=self.request.user)
        return "Plan reported done; the practice will confirm and close it."


class ClosePlanView(RemediationActionView):
    write_scope = "manage_contract"
    denied_message = "Only the practice's managers close remediation plans."

    def perform(self, plan):
        services.close_remediation_plan(plan, by=self.request.user)
        return "Plan closed, and the breach with it."


# --- Measurement uploads ---------------------------------------------------------------------------------------------

UPLOAD_SALT = "slas.upload"
PREVIEW_MAX_AGE = 60 * 60  # an hour to look at the preview and confirm


@dataclass
class UploadPreview:
    rows: int
    new: int
    duplicates: int
    corrected: int
    touched: list  # (engagement, metric, rows, first date, last date)


def preview_of(work: ingest.Plan) -> UploadPreview:
    groups: dict[tuple[int, Metric], list] = {}
    for row in [*work.new, *(row for _, row in work.corrections)]:
        groups.setdefault((row.engagement_id, row.metric), []).append(row.date)
    names = Engagement.objects.in_bulk([engagement_id for engagement_id, _ in groups])
    touched = [
        (names.get(engagement_id), metric, len(days), min(days), max(days))
        for (engagement_id, metric), days in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1].sort_order)
        )
    ]
    return UploadPreview(work.rows, len(work.new), work.duplicates, len(work.corrections), touched)


class MeasurementUploadView(LoginRequiredMixin, TemplateView):
    """CSV upload in two steps: the first POST checks the file and shows what it would do (nothing is saved); the
    second, carrying the previewed file signed by the server, ingests it through the same service as the API."""

    template_name = "slas/upload.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not engagements_for(request.user, "submit_measurements").exists():
            raise PermissionDenied("Only the provider's account managers upload measurements.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", MeasurementUploadForm())
        # What the file's id and code columns may hold, so nobody has to ask for them.
        kwargs["engagements"] = (
            engagements_for(self.request.user, "submit_measurements").select_related("practice").order_by("name")
        )
        kwargs["metrics"] = Metric.objects.filter(is_active=True)
        kwargs["service_lines"] = ServiceLine.objects.all()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if "payload" in request.POST:
            return self.confirm(request)
        return self.preview(request)

    def preview(self, request):
        form = MeasurementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        content, allow_corrections = form.cleaned_data["file"].read(), form.cleaned_data["allow_corrections"]
        try:
            records = ingest.parse_csv(content)
            work = services.preview_measurements(records, by=request.user, allow_corrections=allow_corrections)
        except ingest.IngestRejected as rejected:
            return self.render_to_response(self.get_context_data(form=form, rejected=rejected))
        except DomainError as error:  # too many rows
            form.add_error("file", error.message)
            return self.render_to_response(self.get_context_data(form=form))
        payload = {"user": request.user.pk, "csv": content.decode("utf-8-sig"), "corrections": allow_corrections}
        return self.render_to_response(
            self.get_context_data(
                form=form,
                preview=preview_of(work),
                filename=form.cleaned_data["file"].name,
                allow_corrections=allow_corrections,
                payload=signing.dumps(payload, salt=UPLOAD_SALT, compress=True),
            )
        )

    def confirm(self, request):
        try:
            payload = signing.loads(request.POST["payload"], salt=UPLOAD_SALT, max_age=PREVIEW_MAX_AGE)
        except signing.BadSignature:
            payload = None
        if not payload or payload.get("user") != request.user.pk:
            messages.error(request, "That preview has expired or is not yours. Upload the file again.")
            return redirect("slas:upload")
        try:
            result = services.ingest_measurements(
                ingest.parse_csv(payload["csv"]),
                by=request.user,
                allow_corrections=payload["corrections"],
                source=IngestSource.UPLOAD,
            )
        except ingest.IngestRejected as rejected:  # the data changed since the preview
            return self.render_to_response(self.get_context_data(rejected=rejected))
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("slas:upload")
        messages.success(
            request,
            f"Batch #{result.batch.pk} saved: {result.created} new, {result.duplicates} duplicate and "
            f"{result.corrected} corrected measurement(s). The KPIs of the periods it touched are recomputed.",
        )
        return redirect(result.batch.get_absolute_url())


# --- Ingest batches --------------------------------------------------------------------------------------------------


class IngestBatchListView(ObjectListView):
    model = IngestBatch
    table_class = IngestBatchTable
    filterset_class = IngestBatchFilterSet
    title = "Ingest batches"
    template_name = "slas/object_list.html"
    select_related = ("submitted_by",)

    def get_queryset(self):
        engagements = Engagement.objects.select_related("practice", "provider")
        return super().get_queryset().prefetch_related(Prefetch("engagements", queryset=engagements))


def with_new_values(corrections):
    """Each correction with the value its batch put in place (`new_numerator`, `new_denominator`): the value the
    next correction of the same measurement replaced, or, for the latest one, the measurement's value now."""
    following = MeasurementCorrection.objects.filter(measurement=OuterRef("measurement"), pk__gt=OuterRef("pk"))
    following = following.order_by("pk")
    return corrections.annotate(
        new_numerator=Coalesce(Subquery(following.values("numerator")[:1]), F("measurement__numerator")),
        new_denominator=Coalesce(Subquery(following.values("denominator")[:1]), F("measurement__denominator")),
    )


class MeasurementCorrectionListView(ObjectListView):
    """What corrections replaced on the user's engagements, both sides alike (the API's
    `/measurement-corrections/`, with the same scope and FilterSet)."""

    model = MeasurementCorrection
    table_class = MeasurementCorrectionTable
    filterset_class = MeasurementCorrectionFilterSet
    title = "Measurement corrections"
    template_name = "slas/correction_list.html"
    select_related = (
        "measurement__engagement__practice",
        "measurement__engagement__provider",
        "metric",
        "agent",
        "batch__submitted_by",
    )

    def get_queryset(self):
        return with_new_values(super().get_queryset()).order_by("-corrected_at", "-pk")

    def get_table_kwargs(self):
        submitting = engagements_for(self.request.user, "submit_measurements").values_list("pk", flat=True)
        return {**super().get_table_kwargs(), "submitting": frozenset(submitting)}


class BatchDetailView(ObjectDetailView):
    model = IngestBatch
    template_name = "slas/batch_detail.html"
    select_related = ("submitted_by",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch, user = self.object, self.request.user
        pairs = batch.touched_pairs()
        engagements = Engagement.objects.for_user(user).filter(pk__in={e for e, _ in pairs})
        engagements = engagements.select_related("practice", "provider").in_bulk()
        metrics = Metric.objects.in_bulk({m for _, m in pairs})
        context["touched"] = [
            (engagements[e], metrics[m], len(days), min(days), max(days))
            for (e, m), days in sorted(pairs.items())
            if e in engagements and days
        ]
        context["engagements"] = sorted(engagements.values(), key=lambda engagement: engagement.name)
        context["breaches"] = batch_breaches(batch, user, pairs)
        return context


def batch_breaches(batch: IngestBatch, user, pairs) -> list[Breach]:
    """Breaches (open or not) of the targets and periods this batch touched: what the upload brought to light. A
    breach of another period of the same metric, or of a target on a period the batch's days do not fall in, is not
    listed (two queries: the targets, the breaches)."""
    if not pairs:
        return []
    pair_condition = Q(pk__in=[])
    for engagement_id, metric_id in pairs:
        pair_condition |= Q(engagement_id=engagement_id, metric_id=metric_id)
    condition = Q(pk__in=[])
    for target in SLATarget.objects.filter(pair_condition).only("pk", "engagement_id", "metric_id", "period"):
        days = pairs[(target.engagement_id, target.metric_id)]
        starts = {period_start(date.fromisoformat(day), target.period) for day in days}
        condition |= Q(target_id=target.pk, period_start__in=sorted(starts))
    return list(
        Breach.objects.for_user(user)
        .filter(condition)
        .select_related(*TARGET_RELATED)
        .order_by("target__engagement__name", "target__metric__sort_order", "-period_start")
    )
