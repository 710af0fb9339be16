"""Admins extend the metric catalogue here; the computed rows (KPIs, breaches) are read-only evidence."""

from django.contrib import admin

from slas import models


@admin.register(models.Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "unit", "direction", "aggregation", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    list_filter = ("aggregation", "direction", "is_active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # Stored measurements were validated against the aggregation: changing it would misread them.
        if obj is not None and obj.measurements.exists():
            return ("code", "aggregation")
        return ()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.targets.exists() and not obj.measurements.exists()


@admin.register(models.SLATarget)
class SLATargetAdmin(admin.ModelAdmin):
    list_display = ("engagement", "metric", "service_line", "threshold", "warning_threshold", "period")
    list_filter = ("metric", "period")
    search_fields = ("engagement__name", "metric__name")
    raw_id_fields = ("engagement",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.IngestBatch)
class IngestBatchAdmin(ReadOnlyAdmin):
    list_display = ("pk", "source", "submitted_by", "submitted_at", "row_count", "created_count", "recomputed_at")
    list_filter = ("source",)


@admin.register(models.KPIValue)
class KPIValueAdmin(ReadOnlyAdmin):
    list_display = ("target", "period_start", "value", "sample_size", "status", "computed_at")
    list_filter = ("status", "target__period")
    list_select_related = ("target__metric", "target__engagement")


@admin.register(models.Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ("target", "period_start", "severity", "status", "value", "threshold", "opened_at")
    list_filter = ("severity", "status")
    list_select_related = ("target__metric", "target__engagement")


@admin.register(models.RemediationPlan)
class RemediationPlanAdmin(ReadOnlyAdmin):
    list_display = ("breach", "owner", "due_on", "status", "submitted_at")
    list_filter = ("status",)
