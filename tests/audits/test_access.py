"""Every quality-audit page and endpoint, tried by every persona (the shared access matrix, extended).

Both sides read an engagement's scorecards and submitted audits; a draft only its auditor's side. Either side's
managers write scorecards and audit; the provider's integration audits too. The agent sees their own audits and
disputes, acknowledges and disputes them, and nothing else. A refused request writes nothing.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from audits.models import AuditScoreHistory, CriterionRating, Dispute, QualityAudit, ScorecardVersion
from audits.services import audits as audit_services
from audits.services import disputes, scorecards
from tests.audits.helpers import FULL_MARKS, ratings, submitted_audit
from tests.test_access_matrix import (
    API_PERSONAS,
    FORBIDDEN,
    FORM_OK,
    HIDDEN,
    OK,
    PERSONAS,
    READ,
    expect,
    fill,
    try_each,
)

pytestmark = pytest.mark.django_db

EVERYONE = expect(OK, outsider=OK, other_provider_manager=OK)  # lists: each sees their own rows, maybe none
MANAGERS_ANYWHERE = expect(
    OK,
    practice_staff=FORBIDDEN,
    provider_staff=FORBIDDEN,
    outsider=OK,
    other_provider_manager=OK,
    integration=FORBIDDEN,
)
MANAGER_ACTIONS = expect(FORM_OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, admin=FORM_OK)
OWN_AUDIT = {**READ, "agent": OK}
PROVIDER_DRAFT = expect(HIDDEN, provider_manager=OK, provider_staff=OK, integration=OK, admin=OK)
PROVIDER_RATER = {**PROVIDER_DRAFT, "provider_staff": FORBIDDEN}
ACKNOWLEDGERS = expect(FORBIDDEN, provider_manager=FORM_OK, agent=FORM_OK, admin=FORM_OK)
DISPUTERS = expect(FORBIDDEN, provider_manager=OK, agent=OK, admin=OK)
# The agent sees the dispute of their audit, but the auditing side decides it.
PRACTICE_DECIDES = expect(FORBIDDEN, practice_manager=FORM_OK, admin=FORM_OK, agent=FORBIDDEN)


@pytest.fixture
def objects(world, version):
    draft = scorecards.new_draft_from(version, by=world.practice_manager)
    audit = submitted_audit(world, version)
    draft_audit = audit_services.create_audit(
        engagement=world.engagement,
        agent=world.agent,
        version=version,
        by=world.provider_manager,
        interaction_ref="CALL-D1",
        interaction_date=timezone.localdate() - timedelta(days=1),
        ratings=ratings(version, **FULL_MARKS),
    )
    practice_audit = submitted_audit(world, version, by=world.practice_manager, greeting=0)
    greeting = practice_audit.ratings.get(criterion__name="Greeting and identification").criterion
    dispute = disputes.raise_dispute(
        practice_audit, by=world.agent_user, reason="I greeted the caller.", items={greeting.pk: {"value": 1}}
    )
    return {
        "scorecard": version.scorecard_id,
        "version": version.pk,
        "draft": draft.pk,
        "draft_criterion": draft.ordered_criteria().first().pk,
        "draft_section": draft.sections.first().pk,
        "criterion": greeting.pk,
        "audit": audit.pk,
        "draft_audit": draft_audit.pk,
        "practice_audit": practice_audit.pk,
        "dispute": dispute.pk,
        "engagement": world.engagement.pk,
        "agent": world.agent.pk,
    }


def state():
    """What a refused request must leave as it was."""
    return (
        LogEntry.objects.count(),
        ScorecardVersion.objects.filter(status="published").count(),
        list(QualityAudit.objects.order_by("pk").values_list("status", "score")),
        CriterionRating.objects.count(),
        Dispute.objects.filter(status="open").count(),
        AuditScoreHistory.objects.count(),
    )


UI_CASES = [
    ("get", "/scorecards/", None, EVERYONE),
    ("get", "/scorecards/?_export=csv", None, EVERYONE),
    ("get", "/scorecards/new/", None, {**MANAGERS_ANYWHERE, "agent": FORBIDDEN}),
    ("get", "/scorecards/{scorecard}/", None, READ),
    ("get", "/scorecard-versions/{version}/", None, READ),
    ("get", "/scorecard-versions/{draft}/", None, READ),
    ("post", "/scorecard-versions/{draft}/publish/", None, MANAGER_ACTIONS),
    ("post", "/scorecard-versions/{draft}/pass-mark/", {"pass_mark": "90"}, MANAGER_ACTIONS),
    ("post", "/scorecard-versions/{draft}/sections/", {"title": "Extra"}, MANAGER_ACTIONS),
    (
        "post",
        "/scorecard-versions/{draft}/criteria/",
        {"section": "{draft_section}", "name": "New one", "weight": "1", "scale": "yes_no"},
        MANAGER_ACTIONS,
    ),
    ("post", "/scorecard-versions/{version}/new-draft/", None, MANAGER_ACTIONS),
    ("get", "/criteria/{draft_criterion}/edit/", None, expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN)),
    ("post", "/criteria/{draft_criterion}/delete/", None, MANAGER_ACTIONS),
    ("post", "/scorecard-sections/{draft_section}/delete/", None, MANAGER_ACTIONS),
    ("get", "/audits/", None, EVERYONE),
    ("get", "/audits/?_export=csv", None, EVERYONE),
    ("get", "/audits/?passed=false&auditor_side=practice&sort=-score", None, EVERYONE),
    ("get", "/audits/new/", None, {**MANAGERS_ANYWHERE, "agent": FORBIDDEN}),
    ("get", "/audits/{audit}/", None, OWN_AUDIT),
    ("get", "/audits/{draft_audit}/", None, PROVIDER_DRAFT),
    ("get", "/audits/{draft_audit}/rate/", None, PROVIDER_RATER),
    ("post", "/audits/{draft_audit}/score/", {"rating_{criterion}": "1"}, PROVIDER_RATER),
    ("post", "/audits/{draft_audit}/submit/", None, {**PROVIDER_RATER, "provider_manager": FORM_OK, "admin": FORM_OK}),
    ("post", "/audits/{draft_audit}/delete/", None, {**PROVIDER_RATER, "provider_manager": FORM_OK, "admin": FORM_OK}),
    ("post", "/audits/{audit}/acknowledge/", None, ACKNOWLEDGERS),
    ("get", "/audits/{audit}/dispute/", None, DISPUTERS),
    ("get", "/disputes/", None, EVERYONE),
    ("get", "/disputes/?to_decide=on&status=open", None, EVERYONE),
    ("get", "/disputes/{dispute}/", None, OWN_AUDIT),
    (
        "post",
        "/disputes/{dispute}/decide/",
        {"note": "Heard it again.", "decision_{criterion}": "accept"},
        PRACTICE_DECIDES,
    ),
    ("get", "/engagements/{engagement}/quality/", None, READ),
    (
        "post",
        "/engagements/{engagement}/quality/settings/",
        {"dispute_window_days": "10", "dispute_decision_days": "3"},
        MANAGER_ACTIONS,
    ),
    ("get", "/agents/{agent}/quality/", None, READ),
    ("get", "/me/audits/", None, expect(HIDDEN, agent=OK, admin=HIDDEN)),
]

AUDIT_BODY = {
    "engagement": "{engagement}",
    "agent": "{agent}",
    "version": "{version}",
    "interaction_type": "call",
    "interaction_ref": "CALL-API-1",
    "interaction_date": str(timezone.localdate()),
}

API_CASES = [
    ("get", "/api/v1/scorecards/", None, EVERYONE),
    ("get", "/api/v1/scorecards/{scorecard}/", None, READ),
    ("get", "/api/v1/scorecards/{scorecard}/versions/", None, READ),
    (
        "post",
        "/api/v1/scorecards/",
        {"engagement": "{engagement}", "name": "Chat quality"},
        {**MANAGERS_ANYWHERE, "outsider": 400, "other_provider_manager": 400, "agent": FORBIDDEN},
    ),
    (
        "patch",
        "/api/v1/scorecards/{scorecard}/",
        {"name": "Renamed"},
        expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN),
    ),
    (
        "post",
        "/api/v1/scorecards/{scorecard}/publish/",
        None,
        expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN),
    ),
    (
        "put",
        "/api/v1/scorecards/{scorecard}/draft/",
        {"pass_mark": "75", "sections": [{"title": "All", "criteria": [{"name": "Greeting", "weight": 2}]}]},
        expect(OK, practice_staff=FORBIDDEN, provider_staff=FORBIDDEN, integration=FORBIDDEN),
    ),
    ("get", "/api/v1/audits/", None, EVERYONE),
    ("get", "/api/v1/audits/?passed=false&ordering=-score", None, EVERYONE),
    ("get", "/api/v1/audits/{audit}/", None, OWN_AUDIT),
    ("get", "/api/v1/audits/{draft_audit}/", None, PROVIDER_DRAFT),
    (
        "post",
        "/api/v1/audits/",
        AUDIT_BODY,
        {
            **MANAGERS_ANYWHERE,
            "integration": OK,
            "outsider": 400,
            "other_provider_manager": 400,
            "admin": 400,
            "agent": FORBIDDEN,
        },
    ),
    ("patch", "/api/v1/audits/{draft_audit}/", {"feedback": "Better."}, PROVIDER_RATER),
    ("post", "/api/v1/audits/{draft_audit}/submit/", None, PROVIDER_RATER),
    ("post", "/api/v1/audits/{audit}/acknowledge/", None, expect(FORBIDDEN, provider_manager=OK, agent=OK)),
    ("delete", "/api/v1/audits/{draft_audit}/", None, PROVIDER_RATER),
    ("get", "/api/v1/disputes/", None, EVERYONE),
    ("get", "/api/v1/disputes/{dispute}/", None, OWN_AUDIT),
    (
        "post",
        "/api/v1/disputes/",
        {
            "audit": "{audit}",
            "reason": "Verified earlier.",
            "item_input": [{"criterion": "{criterion}", "proposed_value": 0}],
        },
        expect(FORBIDDEN, provider_manager=OK, agent=OK, outsider=400, other_provider_manager=400),
    ),
    (
        "post",
        "/api/v1/disputes/{dispute}/decide/",
        {"note": "Heard it again.", "decisions": [{"criterion": "{criterion}", "decision": "accept"}]},
        expect(FORBIDDEN, practice_manager=OK, agent=FORBIDDEN),
    ),
]


def fill_data(data, objects):
    """Fill ids into a body, as integers where a whole value is an id placeholder."""
    if isinstance(data, dict):
        return {key: fill_data(value, objects) for key, value in data.items()}
    if isinstance(data, list):
        return [fill_data(value, objects) for value in data]
    if isinstance(data, str) and data.startswith("{") and data.endswith("}") and data[1:-1] in objects:
        return objects[data[1:-1]]
    return data


def ui_data(data, objects):
    return {fill(key, objects): fill(str(value), objects) for key, value in data.items()} if data else data


@pytest.mark.parametrize(("method", "url", "data", "expected"), UI_CASES, ids=[f"{c[0]} {c[1]}" for c in UI_CASES])
def test_ui(world, objects, method, url, data, expected):
    try_each(PERSONAS, world, method, fill(url, objects), ui_data(data, objects), expected, api=False, state=state)


@pytest.mark.parametrize(("method", "url", "data", "expected"), API_CASES, ids=[f"{c[0]} {c[1]}" for c in API_CASES])
def test_api(world, objects, method, url, data, expected):
    try_each(API_PERSONAS, world, method, fill(url, objects), fill_data(data, objects), expected, api=True, state=state)
