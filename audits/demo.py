"""Quality-audit demo data, added when `seed_demo` runs: the front-office starter scorecard published with a
second draft version, a month of audits of the front-desk agents from both sides (some failing, one critical
fail), an acknowledged audit, an open and a decided dispute, a QA lead, and an agent's own login. Everything
goes through the services, so the demo shows what the UI and API produce (scores reach the SLA engine too)."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from audits.choices import Scale
from audits.models import Criterion
from audits.services import audits as audit_services
from audits.services import disputes, scorecards
from engagements.choices import Role
from engagements.models import Membership
from engagements.signals import demo_seeded

ENGAGEMENT = "Front desk 2026"
CLAIMS_ENGAGEMENT = "Claims and A/R"
QA_LEAD = ("qa@clearview.example", "Quinn", "Alvarez", "QA lead")
AGENT_EMAIL = "agent@clearview.example"
# (agent's employee ref, typical chance of meeting a criterion): CV-1003 is the one who needs coaching.
QUALITY = {"CV-1001": 0.93, "CV-1002": 0.88, "CV-1003": 0.72}
FEEDBACK = {
    True: "Warm, clear call; identifiers checked first. Keep offering the patient portal at the close.",
    False: "Several steps missed — see the criteria marked No. Let's go through the call together this week.",
}


def _ensure_user(email, first_name, last_name, password):
    user, _ = get_user_model().objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _ensure_logins(engagement, password):
    provider = engagement.provider
    email, first, last, title = QA_LEAD
    qa_lead = _ensure_user(email, first, last, password)
    Membership.objects.get_or_create(
        user=qa_lead, defaults={"provider": provider, "role": Role.MANAGER, "job_title": title}
    )
    agent = provider.agents.filter(employee_ref="CV-1001").first()
    agent_user = None
    if agent is not None:
        agent_user = _ensure_user(AGENT_EMAIL, *agent.full_name.split(" ", 1), password)
        Membership.objects.get_or_create(
            user=agent_user, defaults={"provider": provider, "role": Role.AGENT, "agent": agent}
        )
    logins = [("BPO manager (QA lead)", str(provider), qa_lead.email)]
    if agent_user is not None:
        logins.append(("Agent (live)", str(provider), agent_user.email))
    return qa_lead, agent_user, logins


def _ratings(version, rng, quality, *, critical_fail=False):
    ratings = {}
    for criterion in version.ordered_criteria():
        good = rng.random() < quality
        if criterion.allows_na and rng.random() < 0.15:
            ratings[criterion.pk] = {"na": True}
        elif criterion.scale == Scale.ONE_TO_FIVE:
            ratings[criterion.pk] = {"value": rng.choice([4, 5]) if good else rng.choice([2, 3])}
        elif criterion.scale == Scale.POINTS:
            ratings[criterion.pk] = {"value": criterion.max_points if good else 0}
        elif criterion.critical:
            ratings[criterion.pk] = {"value": 0 if critical_fail else 1}
        else:
            ratings[criterion.pk] = {"value": 1 if good else 0}
    return ratings


def _audit(engagement, agent, version, by, day, ratings, rng, n):
    audit = audit_services.create_audit(
        engagement=engagement,
        agent=agent,
        version=version,
        by=by,
        interaction_type=rng.choice(["call", "call", "call", "chat"]),
        interaction_ref=f"CALL-{day:%Y%m%d}-{agent.employee_ref}-{n:03d}",
        interaction_date=day,
        ratings=ratings,
    )
    audit = audit_services.update_audit(audit, by=by, feedback=FEEDBACK[True])
    audit = audit_services.submit_audit(audit, by=by)
    if not audit.passed:
        audit.feedback = FEEDBACK[False]
        audit.save(update_fields=["feedback"])
    return audit


@receiver(demo_seeded, dispatch_uid="audits.demo")
def seed_audits_demo(sender, engagements, managers, today, password=None, **kwargs):
    engagement = engagements.get(ENGAGEMENT)
    if engagement is None:
        return None
    qa_lead, agent_user, logins = _ensure_logins(engagement, password)
    if engagement.scorecards.exists():
        return {"logins": logins}  # already seeded, or changed by hand: leave it alone
    practice_manager, provider_manager = managers[engagement.practice], managers[engagement.provider]
    scorecard = scorecards.create_from_starter(engagement=engagement, key="front_office", by=qa_lead)
    version = scorecards.publish_version(scorecard.versions.get(), by=qa_lead)
    draft = scorecards.new_draft_from(version, by=practice_manager)
    scorecards.update_draft(draft, by=practice_manager, pass_mark=88)
    closing = draft.sections.order_by("-position").first()
    scorecards.save_criterion(
        Criterion(
            section=closing,
            name="Patient portal offered",
            guidance="Offered sign-up or a link.",
            weight=1,
            allows_na=True,
        ),
        by=practice_manager,
    )
    claims = engagements.get(CLAIMS_ENGAGEMENT)
    if claims is not None and not claims.scorecards.exists():
        scorecards.create_from_starter(engagement=claims, key="claims", by=managers[claims.practice])

    rng = random.Random("audits-demo")  # the same demo every time
    made = []
    agents = {a.employee_ref: a for a in engagement.provider.agents.filter(assignments__engagement=engagement)}
    n = 0
    for round_number, days_ago in enumerate(range(28, 0, -3)):
        for index, (ref, quality) in enumerate(QUALITY.items()):
            agent = agents.get(ref)
            if agent is None:
                continue
            n += 1
            by = practice_manager if (round_number + index) % 3 == 0 else qa_lead  # a third from the practice
            critical = ref == "CV-1003" and days_ago == 13
            ratings = _ratings(version, rng, quality, critical_fail=critical)
            made.append(_audit(engagement, agent, version, by, today - timedelta(days=days_ago), ratings, rng, n))
    _acknowledge_and_dispute(made, agents.get("CV-1001"), agent_user, provider_manager, practice_manager)
    return {"logins": logins}  # the logins are printed with the others; like most demos, no line of its own


def _acknowledge_and_dispute(audits, agent, agent_user, provider_manager, practice_manager):
    """Ana acknowledges an older audit; disputes a practice-side one (decided: one rating accepted) and a
    provider-side one (open, for the account manager to decide — not the QA lead who audited)."""
    if agent is None or agent_user is None:
        return
    mine = [audit for audit in audits if audit.agent_id == agent.pk]
    audit_services.acknowledge_audit(mine[0], by=agent_user)
    practice_side = next((a for a in reversed(mine) if a.auditor_side == "practice"), None)
    provider_side = next((a for a in reversed(mine) if a.auditor_side == "provider" and a is not practice_side), None)
    for audit, decide in ((practice_side, True), (provider_side, False)):
        if audit is None:
            continue
        lowest = (
            next(
                (
                    r
                    for r in audit.ratings.select_related("criterion")
                    if not r.na and r.value < r.criterion.rule().maximum
                ),
                None,
            )
            or audit.ratings.select_related("criterion").filter(na=False).first()
        )
        proposal = lowest.criterion.rule().maximum if lowest.value < lowest.criterion.rule().maximum else 0
        if proposal == lowest.value:
            continue
        dispute = disputes.raise_dispute(
            audit,
            by=agent_user,
            reason="The caller had already been verified by my colleague before the transfer; see the call notes.",
            items={lowest.criterion_id: {"value": proposal, "reason": "Done earlier in the call."}},
        )
        if decide:
            disputes.decide_dispute(
                dispute,
                by=practice_manager,
                note="Listened again: it was done before the transfer. Accepted.",
                decisions={lowest.criterion_id: {"decision": "accept"}},
            )
