from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin

from engagements import models


@admin.register(models.ServiceLine)
class ServiceLineAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "category", "sort_order")
    list_editable = ("sort_order",)


class LocationInline(admin.TabularInline):
    model = models.Location
    extra = 0


@admin.register(models.Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "timezone", "monthly_patient_volume")
    search_fields = ("name",)
    inlines = [LocationInline]


@admin.register(models.Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "headquarters_country", "coverage_24x7", "eye_care_experience_years")
    search_fields = ("name",)


@admin.register(models.Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("full_name", "provider", "status", "employee_ref")
    list_filter = ("status", "provider")
    search_fields = ("full_name", "employee_ref", "email")


class ContractInline(admin.StackedInline):
    model = models.Contract
    extra = 0


@admin.register(models.Engagement)
class EngagementAdmin(GuardedModelAdmin):
    """Status is changed through the portal's lifecycle rules; the admin shows it read-only."""

    list_display = ("name", "practice", "provider", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "practice__name", "provider__name")
    readonly_fields = ("status", "created_by", "created_at", "updated_at")
    inlines = [ContractInline]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "practice", "provider", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = ("token_hash",)


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "provider", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "secret_hash", "user", "created_by", "last_used_at")


class MembershipInline(admin.StackedInline):
    model = models.Membership
    fk_name = "user"
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff")


@admin.register(models.Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "created_at", "read_at", "emailed_at")
    list_filter = ("created_at",)
    search_fields = ("title", "user__email", "key")
    readonly_fields = ("user", "engagement", "key", "title", "body", "url", "created_at", "emailed_at")


# --- Communication and reminders -------------------------------------------------------------------------------------
# Staff feedback is left out on purpose: it is the practice managers' to read, not the portal operator's.


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "side", "engagement", "email")
    list_filter = ("side",)
    search_fields = ("name", "email", "engagement__name")


@admin.register(models.EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    list_display = ("engagement", "level", "contact", "response_hours")


@admin.register(models.Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("breach", "level_number", "due_on", "reached_on", "emailed_at")
    readonly_fields = ("breach", "level", "level_number", "due_on", "reached_on", "escalated_at", "emailed_at")


@admin.register(models.Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "due_on", "side", "created_at")
    list_filter = ("kind", "side")
    search_fields = ("title",)
    readonly_fields = ("kind", "item_type", "item_id", "due_on", "engagement", "side", "recipients", "created_at")


@admin.register(models.WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "is_active", "failing_since", "created_at")
    list_filter = ("is_active",)
    exclude = ("secret",)  # signs deliveries; shown once to its owner, never here
    readonly_fields = ("failing_since", "disabled_at", "created_at")


@admin.register(models.WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "response_code", "next_attempt_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in models.WebhookDelivery._meta.fields]


@admin.register(models.AccessEntry)
class AccessEntryAdmin(admin.ModelAdmin):
    """Read-only: the access log is append-only for everyone, portal admins included."""

    list_display = ("at", "user_label", "kind", "object_label", "practice", "provider", "ip_address")
    list_filter = ("kind", "at")
    search_fields = ("user_label", "object_label", "ip_address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
