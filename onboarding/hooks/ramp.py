"""What the ramp area registers at app ready (see onboarding/hooks/__init__.py): the gate into live, the timeline's
flags and finish, the onboarding page's section, the readiness column, the hub link, the audited models, and the
nightly task's module."""

from django.urls import reverse

from engagements.access import is_agent
from onboarding import tasks_ramp  # noqa: F401 - registers the nightly evaluate_ramps task
from onboarding.auditing import register_audited
from onboarding.gates import register_gate
from onboarding.hub import HubLink, register_hub_link
from onboarding.readiness import Cell, register_column
from onboarding.timeline import Section, TimelineEvent, register_section, register_timeline_source


def ramp_events(onboarding):
    from onboarding.models import RampFlag, RampResult

    url = reverse("onboarding:ramp_onboarding", args=[onboarding.pk])
    for flag in RampFlag.objects.filter(onboarding=onboarding):
        title = f"Flagged for coaching (week {flag.week})"
        yield TimelineEvent(flag.flagged_at, "ramp", title, flag.reason, url, "warning")
    result = RampResult.objects.filter(onboarding=onboarding, finished_at__isnull=False).first()
    if result is not None:
        yield TimelineEvent(
            result.finished_at,
            "ramp",
            f"Ramp finished in week {result.finished_week}",
            "Eligible to go live.",
            url,
            "success",
        )


def ramp_section(request, onboarding):
    from onboarding.services import ramp

    if ramp.ramp_start(onboarding) is None:
        return None
    evaluation = ramp.evaluate(onboarding)
    flag = ramp.open_flag(onboarding)
    return Section(
        order=50,
        template="onboarding/ramp/_section.html",
        context={
            "evaluation": evaluation,
            "week": evaluation.weeks[-1] if evaluation.weeks else None,
            "flag": flag,
            "coaching_url": ramp.coaching_url(onboarding, request.user) if flag else None,
            "url": reverse("onboarding:ramp_onboarding", args=[onboarding.pk]),
        },
    )


def ramp_cells(onboardings):
    """{onboarding id: Cell} from the stored evaluations, in two queries whatever the number of agents."""
    from onboarding.models import RampFlag, RampResult

    ids = [onboarding.pk for onboarding in onboardings]
    results = {r.onboarding_id: r for r in RampResult.objects.filter(onboarding_id__in=ids)}
    flagged = set(RampFlag.objects.filter(onboarding_id__in=ids).values_list("onboarding_id", flat=True))
    cells = {}
    for onboarding_id in ids:
        url = reverse("onboarding:ramp_onboarding", args=[onboarding_id])
        result = results.get(onboarding_id)
        if result is None:
            cells[onboarding_id] = Cell("Not in ramp", "secondary", url=url)
        elif result.is_finished:
            cells[onboarding_id] = Cell(f"Finished (week {result.finished_week})", "success", url=url)
        elif onboarding_id in flagged and result.last_status != "met":
            cells[onboarding_id] = Cell("Coaching", "danger", f"{result.closed_weeks} weeks closed", url)
        else:
            cells[onboarding_id] = Cell(f"Week {result.closed_weeks + 1}", "warning", f"run {result.met_run}", url)
    return cells


def live_gate(onboarding):
    from onboarding.services import ramp

    return ramp.live_gate(onboarding)


def register():
    from onboarding.models import RampFlag, RampPlan, RampResult, RampTarget

    register_gate("live", "ramp", live_gate)
    register_timeline_source(ramp_events)
    register_section(ramp_section)
    register_column(40, "ramp", "Ramp", ramp_cells)
    register_hub_link(
        HubLink(
            order=50,
            label="Ramp",
            url_name="onboarding:ramp_list",
            description="Agents in ramp: weekly targets against measured KPIs, coaching flags, cohorts.",
            visible=lambda user: user.is_authenticated and not is_agent(user),
        )
    )
    register_audited(RampPlan, RampTarget, RampFlag)
    register_audited(RampResult, exclude_fields=("id", "evaluated_at"))
