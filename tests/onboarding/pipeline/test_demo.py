"""The pipeline and vetting demo: a cohort on "Front desk 2026" across every stage, a failed vetting and a drop-out
at interview, the hiring profile and results, and a valid typing-test link — made once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from engagements.models import Agent, Engagement
from onboarding.models import AssessmentResult, Onboarding, TypingTestLink
from onboarding.views.pipeline import board_columns

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_board_once(monkeypatch):
    from onboarding import demo as onboarding_demo

    seen = {}
    original = onboarding_demo.import_module

    def spy(name):  # keep the shared context the areas filled, to read the typing link from it
        module = original(name)
        if name == "onboarding.demo_vetting":
            seed = module.seed

            class Wrapped:
                @staticmethod
                def seed(context):
                    seed(context)
                    seen.update(context)

            return Wrapped
        return module

    monkeypatch.setattr(onboarding_demo, "import_module", spy)
    call_command("seed_demo", stdout=StringIO())
    engagement = Engagement.objects.get(name="Front desk 2026")
    stages = dict(Onboarding.objects.filter(engagement=engagement).values_list("agent__employee_ref", "stage"))
    assert stages["CV-1001"] == "live" and stages["CV-1003"] == "ramp" and stages["CV-1004"] == "training"
    assert stages["CV-1005"] == "candidate" and stages["CV-1006"] == "vetting" and stages["CV-1007"] == "interviewing"
    failed, withdrew = (Onboarding.objects.get(agent__employee_ref=ref) for ref in ("CV-1008", "CV-1009"))
    assert (failed.stage, failed.offboard_reason, failed.stage_changes.last().from_stage) == (
        "offboarded",
        "failed_vetting",
        "vetting",
    )
    assert (withdrew.offboard_reason, withdrew.stage_changes.last().from_stage) == ("withdrew", "interviewing")
    assert Agent.objects.get(employee_ref="CV-1001").status == "live"
    columns, drops = board_columns(engagement)
    assert {c["stage"]: c["count"] for c in columns}["live"] >= 2
    assert next(c for c in columns if c["stage"] == "training")["median_days"] is not None
    assert len(drops) == 2
    assert engagement.hiring_profile.assessment_requirements.count() >= 4
    assert AssessmentResult.objects.filter(onboarding=failed, kind="typing", passed=False).exists()
    path = seen["typing_link_url"][seen["typing_link_url"].index("/typing-test/") :]
    assert Client().get(path).status_code == 200
    assert set(seen["onboardings"]) >= {"CV-1001", "CV-1005", "CV-1009"}

    results, links = AssessmentResult.objects.count(), TypingTestLink.objects.usable().count()
    onboardings = Onboarding.objects.filter(engagement=engagement).count()  # the cohort and the other areas' agents
    assert onboardings >= 9
    call_command("seed_demo", stdout=StringIO())
    assert AssessmentResult.objects.count() == results and TypingTestLink.objects.usable().count() == links == 1
    assert Onboarding.objects.filter(engagement=engagement).count() == onboardings
