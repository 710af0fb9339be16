"""Training rows on the suite's `world`: a provider's HIPAA module with a three-question quiz in the home
engagement's curriculum, and Ana (the agent persona) onboarding onto it in training."""

from types import SimpleNamespace

import pytest

from engagements.choices import AgentStatus
from onboarding.choices import ModuleKind, PrivacyLaw
from onboarding.services import training
from tests.onboarding.factories import make_onboarding


def make_quiz_module(by, title="HIPAA essentials", kind=ModuleKind.PRIVACY_LAW, questions=3, **fields):
    fields.setdefault("privacy_law", PrivacyLaw.HIPAA if kind == ModuleKind.PRIVACY_LAW else "")
    module = training.create_module(by=by, title=title, kind=kind, material="Read this.", **fields)
    for number in range(1, questions + 1):
        training.add_question(
            module,
            text=f"Question {number}?",
            choices=[(f"Right {number}", True), (f"Wrong {number}", False), (f"Also right {number}", number == 1)],
            by=by,
        )
    return module


def right_answers(module) -> dict:
    return {
        str(question.pk): [choice.pk for choice in question.choices.all() if choice.is_correct]
        for question in module.questions.all()
    }


def wrong_answers(module) -> dict:
    return {
        str(question.pk): [choice.pk for choice in question.choices.all() if not choice.is_correct]
        for question in module.questions.all()
    }


@pytest.fixture
def trained(world):
    """The HIPAA module (pass mark 80, 2 attempts) required in the home engagement's curriculum, Ana in training."""
    module = make_quiz_module(world.provider_manager, pass_mark=80, max_attempts=2)
    item = training.add_to_curriculum(world.engagement, module, by=world.provider_manager)
    onboarding = make_onboarding(world.engagement, agent=world.agent, stage=AgentStatus.TRAINING)
    return SimpleNamespace(module=module, item=item, onboarding=onboarding)
