"""The Interviews list and the API: constant queries as rows grow, filters, CSV, and the feedback endpoint deciding a
round with the caller as the interviewer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.choices import InterviewStatus
from onboarding.models import InterviewFeedback, InterviewRound
from tests import factories
from tests.onboarding.interviews.helpers import candidate, give, rounds_for, schedule

pytestmark = pytest.mark.django_db

LISTS = [
    ("ui", "/interviews/"),
    ("ui", "/interviews/?_export=csv"),
    ("api", "/api/v1/interviews/"),
    ("api", "/api/v1/interview-feedback/"),
    ("api", "/api/v1/interview-rounds/"),
]


def _interviews(world, count):
    round1, _ = rounds_for(world.engagement)
    for _ in range(count):
        interview = schedule(world, candidate(world, agent=factories.make_agent(world.provider)), round1)
        give(interview, world.provider_manager, 4)


@pytest.mark.parametrize(("kind", "url"), LISTS)
def test_lists_keep_a_constant_number_of_queries(world, client, api, kind, url, django_assert_max_num_queries):
    http = api.as_user(world.practice_manager) if kind == "api" else client
    if kind == "ui":
        client.force_login(world.practice_manager)
    _interviews(world, 2)
    with CaptureQueriesContext(connection) as small:
        assert http.get(url).status_code == 200
    _interviews(world, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = http.get(url)
    assert response.status_code == 200


def test_the_list_filters_my_interviews_and_exports_them(world, client):
    round1, _ = rounds_for(world.engagement)
    mine = schedule(world, candidate(world), round1, interviewers=[world.practice_staff])
    schedule(world, candidate(world, agent=factories.make_agent(world.provider, full_name="Not Mine")), round1)
    client.force_login(world.practice_staff)
    page = client.get("/interviews/?mine=on").content.decode()
    assert "Ana Reyes" in page and "Not Mine" not in page
    csv = client.get("/interviews/?_export=csv&mine=on").content.decode()
    assert "Ana Reyes" in csv and "0 of 1" in csv.replace("0/1", "0 of 1")
    assert mine.pk


def test_feedback_through_the_api_is_the_callers_own_and_decides_the_round(world, api):
    round1, _ = rounds_for(world.engagement)
    interview = schedule(world, candidate(world), round1, interviewers=[world.practice_manager, world.provider_staff])
    ratings = dict.fromkeys(round1.expected_skills, 4)
    first = api.as_user(world.practice_manager).post(
        "/api/v1/interview-feedback/",
        {"interview": interview.pk, "ratings": ratings, "notes": "Good.", "cleared": True},
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["interviewer"]["id"] == world.practice_manager.pk
    assert first.json()["interview_status"] == InterviewStatus.SCHEDULED
    bad = api.as_user(world.provider_staff).post(
        "/api/v1/interview-feedback/",
        {"interview": interview.pk, "ratings": {**ratings, "Typing": 3}, "cleared": True},
        format="json",
    )
    assert bad.status_code == 400 and "not one of this round's skills" in bad.json()["detail"]
    last = api.as_user(world.provider_staff).post(
        "/api/v1/interview-feedback/",
        {"interview": interview.pk, "ratings": ratings, "cleared": False},
        format="json",
    )
    assert last.status_code == 201 and last.json()["interview_status"] == InterviewStatus.FAILED
    listed = api.as_user(world.practice_staff).get(f"/api/v1/interview-feedback/?interview={interview.pk}").json()
    given_by = {row["interviewer"]["id"] for row in listed["results"]}
    assert given_by == {world.practice_manager.pk, world.provider_staff.pk}
    assert InterviewFeedback.objects.count() == 2
    detail = api.as_user(world.practice_staff).get(f"/api/v1/interviews/{interview.pk}/").json()
    assert detail["status"] == "failed" and detail["average"] == "4.00" and detail["feedback_count"] == 2


def test_rounds_through_the_api_and_the_locked_next_round(world, api):
    client = api.as_user(world.practice_manager)
    created = client.post(
        "/api/v1/interview-rounds/",
        {
            "engagement": world.engagement.pk,
            "number": 1,
            "name": "Fit",
            "expected_skills": ["Clarity", "Empathy"],
            "expected_average": "3.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["expected_skills"] == ["Clarity", "Empathy"]
    second = client.post(
        "/api/v1/interview-rounds/",
        {
            "engagement": world.engagement.pk,
            "number": 2,
            "name": "Deep",
            "expected_skills": ["X"],
            "expected_average": 4,
        },
        format="json",
    )
    assert second.status_code == 201
    listed = client.get(f"/api/v1/interview-rounds/?engagement={world.engagement.pk}").json()["results"]
    assert [row["number"] for row in listed] == [1, 2]
    onboarding = candidate(world)
    locked = api.as_user(world.provider_manager).post(
        "/api/v1/interviews/",
        {
            "onboarding": onboarding.pk,
            "round": second.json()["id"],
            "scheduled_at": "2026-12-10T10:00:00Z",
            "interviewers": [world.practice_manager.pk],
        },
        format="json",
    )
    assert locked.status_code == 400 and "has not passed yet" in locked.json()["detail"]
    url = f"/api/v1/interview-rounds/{second.json()['id']}/"
    patched = client.patch(url, {"expected_average": "4.50"}, format="json")
    assert patched.status_code == 200 and patched.json()["expected_average"] == "4.50"
    assert InterviewRound.objects.get(number=2).expected_average == pytest.approx(4.5)


def test_the_schema_documents_the_interview_endpoints(client):
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/interview-rounds/", "/api/v1/interviews/{id}/override/", "/api/v1/interview-feedback/"):
        assert path in schema
    assert "Round 1 feedback" in schema  # the example
