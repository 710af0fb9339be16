"""What the training area registers at app ready (see onboarding/hooks/__init__.py): the ramp gate, the timeline
source and the onboarding page's section, the readiness column, hub links, the renewal reminders, the agent's
menu entry, the mock-call hook on submitted audits, and its models in the audit log."""

from datetime import datetime, time

from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone


def _gate(onboarding):
    from onboarding.services.training import missing_training

    return missing_training(onboarding)


def _timeline(onboarding):
    from onboarding.models import TrainingCompletion
    from onboarding.timeline import TimelineEvent

    today = timezone.localdate()
    completions = TrainingCompletion.objects.filter(
        agent_id=onboarding.agent_id, module__curriculum_items__curriculum__engagement_id=onboarding.engagement_id
    ).select_related("module")
    for completion in completions.distinct():
        yield TimelineEvent(
            at=timezone.make_aware(datetime.combine(completion.passed_on, time(12))),
            area="training",
            title=f"Passed “{completion.module}”",
            detail=completion.get_source_display() + ("" if completion.score is None else f", {completion.score}%"),
            tone="success",
        )
        if completion.expires_on and completion.expires_on <= today:
            yield TimelineEvent(
                at=timezone.make_aware(datetime.combine(completion.expires_on, time(0))),
                area="training",
                title=f"“{completion.module}” expired",
                tone="danger",
            )


def _section(request, onboarding):
    from onboarding.services.training import standing
    from onboarding.timeline import Section

    rows = standing(onboarding.agent, onboarding.engagement)
    required = [row for row in rows if row.item.required]
    done = sum(row.status in ("current", "expiring") for row in required)
    return Section(
        order=30,
        template="onboarding/training/_section.html",
        context={
            "rows": rows,
            "done": done,
            "total": len(required),
            "percent": round(done * 100 / len(required)) if required else 100,
            "curriculum_url": reverse("onboarding:training_curriculum", args=[onboarding.engagement_id]),
        },
    )


def _readiness(onboardings):
    from onboarding.readiness import Cell
    from onboarding.services.training import readiness_counts

    cells = {}
    for onboarding_id, counts in readiness_counts(onboardings).items():
        text = f"{counts['current']} of {counts['total']} modules current"
        detail = ", ".join(
            part
            for part in (
                f"{counts['expiring']} expiring soon" if counts["expiring"] else "",
                f"{counts['expired']} expired" if counts["expired"] else "",
            )
            if part
        )
        if counts["expired"] or counts["current"] < counts["total"]:
            tone = "danger" if counts["expired"] else "secondary"
        else:
            tone = "warning" if counts["expiring"] else "success"
        cells[onboarding_id] = Cell(text=text, tone=tone, detail=detail)
    return cells


def _after_audit_saved(sender, instance, **kwargs):
    from onboarding.services.training import record_mock_call

    record_mock_call(instance)


def _is_agent(user):
    from engagements.access import is_agent

    return is_agent(user)


def _sees_library(user):
    from engagements.access import is_agent, is_portal_admin, membership_of

    return is_portal_admin(user) or (membership_of(user) is not None and not is_agent(user))


def _is_practice_member(user):
    from engagements.access import membership_of

    membership = membership_of(user)
    return bool(membership and membership.practice_id)


def register():
    from audits.models import QualityAudit
    from engagements.registries import NavEntry, register_nav_entry
    from engagements.reminders import register_source
    from onboarding import models, tasks_training  # noqa: F401 - the nightly task, without autodiscovery
    from onboarding.auditing import register_audited
    from onboarding.gates import register_gate
    from onboarding.hub import HubLink, register_hub_link
    from onboarding.readiness import register_column
    from onboarding.timeline import register_section, register_timeline_source

    register_gate("ramp", "training", _gate)
    register_timeline_source(_timeline)
    register_section(_section)
    register_column(10, "training", "Training", _readiness)
    register_source("onboarding.services.training.due_items")
    register_nav_entry(NavEntry("My training", "onboarding:training_me", _is_agent, testid="nav-my-training"))
    for link in (
        HubLink(
            40,
            "Training modules",
            "onboarding:training_module_list",
            "The provider's library and the practice's own modules: material, quizzes, renewals.",
            _sees_library,
        ),
        HubLink(
            41,
            "Curricula",
            "onboarding:training_curriculum_list",
            "Each engagement's modules in order, and which are required before ramp.",
            _sees_library,
        ),
        HubLink(
            42,
            "Training completions",
            "onboarding:training_completion_list",
            "Who passed what, when it expires; record a trainer's completion.",
            _sees_library,
        ),
        HubLink(
            43,
            "Staff training",
            "onboarding:training_staff_list",
            "The practice's own modules for its people (working with the provider).",
            _is_practice_member,
        ),
    ):
        register_hub_link(link)
    post_save.connect(_after_audit_saved, sender=QualityAudit, dispatch_uid="onboarding.training.mock_call")
    register_audited(
        models.ModuleAttachment,
        models.ModuleAssessment,
        models.Question,
        models.Choice,
        models.QuizAttempt,
        models.Curriculum,
        models.CurriculumItem,
        models.StaffTrainingAssignment,
    )
