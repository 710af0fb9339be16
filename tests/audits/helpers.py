"""Builders for quality-audit tests, through the services so rows look as users make them."""

from datetime import timedelta

from django.utils import timezone

from audits.choices import Scale
from audits.models import Criterion
from audits.services import audits as audit_services
from audits.services import scorecards


def published_scorecard(engagement, by, name="Front office calls", pass_mark=80):
    """A published version: greeting (weight 2), tone (1–5, weight 1), two identifiers (critical), a points item."""
    scorecard = scorecards.create_scorecard(engagement=engagement, name=name, by=by, pass_mark=pass_mark)
    version = scorecard.versions.get()
    opening = scorecards.add_section(version, title="Opening", by=by)
    compliance = scorecards.add_section(version, title="Compliance", by=by)
    for section, name, fields in [
        (opening, "Greeting and identification", {"weight": 2}),
        (opening, "Empathy and tone", {"scale": Scale.ONE_TO_FIVE}),
        (compliance, "Two patient identifiers verified", {"critical": True, "weight": 3}),
        (compliance, "Insurance captured", {"scale": Scale.POINTS, "max_points": 4, "allows_na": True}),
    ]:
        scorecards.save_criterion(Criterion(section=section, name=name, **fields), by=by)
    return scorecards.publish_version(version, by=by)


def criteria(version):
    return {c.name: c for c in version.ordered_criteria()}


def ratings(version, **by_name):
    """{criterion id: {"value": …}} from keyword names: greeting=1, tone=4, ids=1, insurance="na" or 3."""
    names = {
        "greeting": "Greeting and identification",
        "tone": "Empathy and tone",
        "ids": "Two patient identifiers verified",
        "insurance": "Insurance captured",
    }
    found = criteria(version)
    result = {}
    for short, value in by_name.items():
        criterion = found[names[short]]
        result[criterion.pk] = {"na": True} if value == "na" else {"value": value}
    return result


FULL_MARKS = {"greeting": 1, "tone": 5, "ids": 1, "insurance": 4}


def submitted_audit(world, version, by=None, days_ago=1, submit=True, **marks):
    by = by or world.provider_manager
    audit = audit_services.create_audit(
        engagement=world.engagement,
        agent=world.agent,
        version=version,
        by=by,
        interaction_type="call",
        interaction_ref=f"CALL-{timezone.now().timestamp():.0f}-{days_ago}",
        interaction_date=timezone.localdate() - timedelta(days=days_ago),
        feedback="Good call overall.",
        ratings=ratings(version, **{**FULL_MARKS, **marks}),
    )
    return audit_services.submit_audit(audit, by=by) if submit else audit
