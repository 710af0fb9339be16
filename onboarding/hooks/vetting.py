"""What the vetting area registers at app ready (see onboarding/hooks/__init__.py)."""

from engagements.choices import AgentStatus
from onboarding.auditing import register_audited
from onboarding.gates import register_gate
from onboarding.timeline import Section, TimelineEvent, register_section, register_timeline_source


def vetting_gate(onboarding):
    from onboarding.services.vetting import missing_for_interviewing

    return missing_for_interviewing(onboarding)


def assessment_events(onboarding):
    for result in onboarding.assessments.all():
        yield TimelineEvent(
            result.recorded_at,
            "vetting",
            f"{result.get_kind_display()}: {'passed' if result.passed else 'failed'}",
            detail=f"{result.test_name} · {result.summary}",
            tone="success" if result.passed else "danger",
        )


def vetting_section(request, onboarding):
    from onboarding.services import pipeline, vetting

    return Section(
        order=10,
        template="onboarding/vetting/_section.html",
        context={
            "onboarding": onboarding,
            "results": onboarding.assessments.select_related("recorded_by"),
            "links": onboarding.typing_links.all(),
            "can_record": not onboarding.is_offboarded and vetting.may_record(request.user, onboarding.engagement),
            "can_send": not onboarding.is_offboarded and pipeline.may_move(request.user, onboarding.engagement),
            "missing": vetting.missing_for_interviewing(onboarding)
            if onboarding.stage in (AgentStatus.CANDIDATE, AgentStatus.VETTING)
            else [],
        },
    )


def register():
    from onboarding import models

    register_gate(AgentStatus.INTERVIEWING, "vetting: required assessments passed", vetting_gate)
    register_timeline_source(assessment_events)
    register_section(vetting_section)
    register_audited(models.AssessmentRequirement, models.AssessmentResult)
    register_audited(models.TypingTestLink, exclude_fields=("id", "created_at", "token_hash"))
