"""What the interviews area registers at app ready (see onboarding/hooks/__init__.py)."""


def _sees_interviews(user) -> bool:
    from engagements.access import can_act_anywhere, is_agent

    return not is_agent(user) and can_act_anywhere(user, "view")


def gate(onboarding) -> list[str]:
    from onboarding.services.interviews import missing_rounds

    return missing_rounds(onboarding)


def timeline_events(onboarding):
    from onboarding.choices import InterviewStatus
    from onboarding.timeline import TimelineEvent

    tones = {InterviewStatus.PASSED: "success", InterviewStatus.FAILED: "danger", InterviewStatus.SCHEDULED: "info"}
    for interview in onboarding.interviews.select_related("round"):
        result = interview.get_status_display().lower()
        if interview.is_overridden:
            result = "passed on override"
        detail = f"Average {interview.average} (needs {interview.round.expected_average})" if interview.average else ""
        if interview.is_overridden:
            detail = f"{detail}. Override: {interview.override_reason}".lstrip(". ")
        yield TimelineEvent(
            at=interview.decided_at or interview.scheduled_at,
            area="interviews",
            title=f"Interview round {interview.round.number} ({interview.round.name}): {result}",
            detail=detail,
            url=interview.get_absolute_url(),
            tone=tones.get(interview.status, "secondary"),
        )


def section(request, onboarding):
    from onboarding.timeline import Section
    from onboarding.views.interviews import section_context

    context = section_context(request, onboarding)
    return Section(order=20, template="onboarding/interviews/_section.html", context=context)


def pending_feedback(user):
    """The home page's attention list: interviews the user is on the panel of and has not given feedback on."""
    from engagements.attention import AttentionItem
    from onboarding.models import Interview

    pending = (
        Interview.objects.for_user(user)
        .pending_feedback_of(user)
        .select_related("onboarding__agent", "onboarding__engagement", "round")
        .order_by("scheduled_at", "pk")[:10]
    )
    return [
        AttentionItem(
            "info",
            f"{i.onboarding.engagement.name}: give your interview feedback on {i.onboarding.agent} "
            f"({i.round}, {i.scheduled_at:%d %b}).",
            f"{i.get_absolute_url()}feedback/",
        )
        for i in pending
    ]


def engagement_card(request, engagement):
    from engagements.access import is_agent
    from engagements.registries import EngagementCard
    from onboarding.choices import InterviewStatus
    from onboarding.models import Interview, InterviewRound

    if is_agent(request.user):
        return None
    return EngagementCard(
        "onboarding/interviews/_engagement_card.html",
        {
            "engagement": engagement,
            "rounds": InterviewRound.objects.filter(hiring_profile__engagement=engagement).count(),
            "scheduled": Interview.objects.filter(
                onboarding__engagement=engagement, status=InterviewStatus.SCHEDULED
            ).count(),
        },
    )


def register():
    from engagements.registries import register_attention_source, register_engagement_card
    from engagements.services.webhooks import register_event
    from onboarding import models
    from onboarding.auditing import register_audited
    from onboarding.gates import register_gate
    from onboarding.hub import HubLink, register_hub_link
    from onboarding.timeline import register_section, register_timeline_source

    register_audited(models.InterviewRound, models.Interview, models.InterviewFeedback)
    register_gate("training", "interviews", gate)
    register_timeline_source(timeline_events)
    register_section(section)
    register_attention_source(pending_feedback)
    register_engagement_card(engagement_card)
    register_hub_link(
        HubLink(
            order=30,
            label="Interviews",
            url_name="onboarding:interview_list",
            description="Candidates' interview rounds: who interviews, their feedback, the rounds passed; yours to "
            "give first.",
            visible=_sees_interviews,
        )
    )
    register_event("interview.decided", "A candidate's interview round was decided (passed or not) or overridden.")
