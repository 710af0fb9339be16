"""The training demo: Front desk 2026's curriculum with a HIPAA module renewed yearly, one agent's HIPAA due for
renewal within 30 days and one expired; seeding twice changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from onboarding.choices import CompletionStatus, ModuleKind
from onboarding.models import CurriculumItem, TrainingCompletion
from onboarding.services import training

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_renewal_due_and_one_expired():
    call_command("seed_demo", stdout=StringIO())
    items = CurriculumItem.objects.filter(curriculum__engagement__name="Front desk 2026").select_related("module")
    kinds = {item.module.kind for item in items}
    assert {ModuleKind.PRIVACY_LAW, ModuleKind.DATA_SECURITY, ModuleKind.SOP, ModuleKind.ROLEPLAY} <= kinds
    hipaa = next(item.module for item in items if item.module.kind == ModuleKind.PRIVACY_LAW)
    assert hipaa.renewal_months == 12 and hipaa.questions.count() >= 3
    today = timezone.localdate()
    statuses = {
        completion.agent.employee_ref: training.completion_status(completion, today)
        for completion in TrainingCompletion.objects.filter(module=hipaa).select_related("agent")
    }
    assert statuses["CV-1001"] == CompletionStatus.EXPIRING
    assert statuses["CV-1002"] == CompletionStatus.EXPIRED
    count = TrainingCompletion.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert TrainingCompletion.objects.count() == count
