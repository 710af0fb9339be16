"""Quizzes graded by the server: exact sets of choices, the pass mark, the attempts limit, and a pass that records a
completion with its expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bpo_portal.errors import DomainError
from onboarding.choices import CompletionSource
from onboarding.models import QuizAttempt, TrainingCompletion
from onboarding.services import training
from onboarding.signals import prerequisites_changed
from tests.onboarding.training.conftest import right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def test_a_question_counts_only_when_exactly_the_correct_choices_are_picked(world, trained):
    module = trained.module
    answers = right_answers(module)
    first = module.questions.first()
    answers[str(first.pk)] = answers[str(first.pk)][:1]  # one of its two correct choices only
    attempt = training.start_attempt(module, by=world.agent_user)
    attempt = training.submit_attempt(attempt, answers, by=world.agent_user)
    assert attempt.score == Decimal("66.67")
    assert attempt.passed is False
    assert not TrainingCompletion.objects.exists()


def test_a_pass_records_a_quiz_completion_that_expires_after_the_renewal_interval(world, trained):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    prerequisites_changed.connect(listener)
    try:
        attempt = training.start_attempt(trained.module, by=world.agent_user)
        attempt = training.submit_attempt(attempt, right_answers(trained.module), by=world.agent_user)
    finally:
        prerequisites_changed.disconnect(listener)
    assert attempt.score == Decimal("100.00") and attempt.passed
    completion = attempt.completion
    today = timezone.localdate()
    assert completion.source == CompletionSource.QUIZ and completion.agent == world.agent
    assert completion.passed_on == today
    assert completion.expires_on == training.expires_on(today, 12)
    assert trained.module.renewal_months == 12  # privacy law's default
    assert [r["cause"] for r in received] == ["module_passed"] and received[0]["agent"] == world.agent


def test_attempts_beyond_the_maximum_are_refused(world, trained):
    for _ in range(trained.module.max_attempts):
        attempt = training.start_attempt(trained.module, by=world.agent_user)
        training.submit_attempt(attempt, wrong_answers(trained.module), by=world.agent_user)
    with pytest.raises(DomainError, match="used all 2 attempts"):
        training.start_attempt(trained.module, by=world.agent_user)
    assert QuizAttempt.objects.count() == 2


def test_an_attempt_is_submitted_once(world, trained):
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    training.submit_attempt(attempt, wrong_answers(trained.module), by=world.agent_user)
    with pytest.raises(DomainError, match="already been submitted"):
        training.submit_attempt(attempt, right_answers(trained.module), by=world.agent_user)
    attempt.refresh_from_db()
    assert attempt.passed is False


def test_an_open_attempt_is_returned_rather_than_a_second_one(world, trained):
    first = training.start_attempt(trained.module, by=world.agent_user)
    assert training.start_attempt(trained.module, by=world.agent_user) == first


def test_a_choice_of_another_question_is_refused(world, trained):
    questions = list(trained.module.questions.all())
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    foreign = questions[1].choices.first().pk
    with pytest.raises(DomainError, match="not one of this quiz's choices"):
        training.submit_attempt(attempt, {str(questions[0].pk): [foreign]}, by=world.agent_user)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_only_the_agent_takes_and_submits_their_quiz(world, trained):
    with pytest.raises(PermissionDenied):
        training.start_attempt(trained.module, by=world.provider_manager)
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    with pytest.raises(PermissionDenied):
        training.submit_attempt(attempt, right_answers(trained.module), by=world.provider_manager)


def test_a_module_outside_the_agents_curricula_cannot_be_taken(world):
    from tests.onboarding.training.conftest import make_quiz_module

    module = make_quiz_module(world.provider_manager, title="Not in the curriculum")
    with pytest.raises(PermissionDenied):
        training.start_attempt(module, by=world.agent_user)


def test_an_expired_completion_opens_a_fresh_set_of_attempts(world, trained):
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    training.submit_attempt(attempt, wrong_answers(trained.module), by=world.agent_user)
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    training.submit_attempt(attempt, right_answers(trained.module), by=world.agent_user)
    assert training.attempts_left(world.agent, trained.module) == 0
    long_ago = timezone.localdate() - timedelta(days=400)
    QuizAttempt.objects.update(submitted_at=timezone.now() - timedelta(days=400))
    TrainingCompletion.objects.update(passed_on=long_ago, expires_on=training.expires_on(long_ago, 12))
    assert training.attempts_left(world.agent, trained.module) == 2
