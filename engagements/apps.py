from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagements"

    def ready(self):
        from engagements import signals  # noqa: F401 - keeps group membership in step with Membership rows
        from engagements.auditing import register_audited_models

        register_audited_models()
        register_menu()


def register_menu() -> None:
    """The engagement area's entries in the grouped main menu (bpo_portal.navigation)."""
    from bpo_portal import navigation
    from engagements.access import is_portal_admin, membership_of
    from engagements.registries import sees_workspace

    def has_membership(request):
        return sees_workspace(request) and membership_of(request.user) is not None

    def reads_access_log(request):
        membership = membership_of(request.user)
        return is_portal_admin(request.user) or bool(membership and membership.is_manager and sees_workspace(request))

    def is_admin(request):
        return is_portal_admin(request.user)

    register = navigation.register
    register("work", "Engagements", "engagements:engagement_list", namespaces=("engagements",),
             names=("engagement", "contract", "phase", "milestone", "change", "meeting", "contact", "escalation",
                    "cost", "fee", "credit", "checkpoint", "diligence", "history"), visible=sees_workspace,
             order=10)  # fmt: skip
    register(
        "directory", "Practices", "engagements:practice_list", names=("practice",), visible=sees_workspace, order=10
    )
    register(
        "directory", "Providers", "engagements:provider_list", names=("provider",), visible=sees_workspace, order=20
    )
    register("directory", "Agents", "engagements:agent_list", names=("agent",), visible=sees_workspace, order=30)
    register(
        "directory",
        "Certifications",
        "engagements:certification_list",
        names=("certification",),
        visible=sees_workspace,
        order=40,
    )
    register("account", "People", "engagements:people", names=("people", "member", "invitation"),
             visible=has_membership, order=10)  # fmt: skip
    register("account", "API tokens", "engagements:token_list", names=("token",), order=20)
    register("account", "API docs", "api-docs", names=("api-docs",), order=30)
    register("account", "Access log", "engagements:access_log", names=("access_log",), visible=reads_access_log,
             order=40)  # fmt: skip
    register("account", "Admin", "admin:index", namespaces=("admin",), visible=is_admin, order=90)
