"""The training pages: the agent's own training and quiz (no correct answer in the page before submission), the
result, the editors, and the lists at a constant number of queries."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from onboarding.choices import ModuleKind
from onboarding.models import Choice, CurriculumItem, QuizAttempt, TrainingCompletion
from onboarding.services import training
from tests import factories
from tests.onboarding.factories import make_onboarding
from tests.onboarding.training.conftest import make_quiz_module, right_answers

pytestmark = pytest.mark.django_db


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_quiz_page_shows_choices_without_which_are_correct(world, trained):
    client = client_of(world.agent_user)
    response = client.post(f"/me/training/modules/{trained.module.pk}/start/")
    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/training/attempts/{attempt.pk}/"
    page = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    for choice in Choice.objects.filter(question__module=trained.module):
        assert choice.text in page and f'value="{choice.pk}"' in page
    assert "correct</span>" not in page and "is_correct" not in page and "badge text-bg-success" not in page


def test_an_agent_passes_a_quiz_through_the_pages(world, trained):
    client = client_of(world.agent_user)
    client.post(f"/me/training/modules/{trained.module.pk}/start/")
    attempt = QuizAttempt.objects.get()
    data = {f"q{question}": picked for question, picked in right_answers(trained.module).items()}
    response = client.post(f"/training/attempts/{attempt.pk}/", data)
    assert response.status_code == 302
    result = client.get(f"/training/attempts/{attempt.pk}/").content.decode()
    assert "Score 100.00%" in result and "passed" in result
    assert TrainingCompletion.objects.get().source == "quiz"
    mine = client.get("/me/training/").content.decode()
    assert "Passed" in mine and "1 of 1 required modules current" in mine


def test_the_agents_page_shows_due_renewals_and_attempts_left(world, trained):
    training.record_by_trainer(
        trained.module,
        by=world.provider_manager,
        passed_on=timezone.localdate() - timedelta(days=350),
        agent=world.agent,
    )
    page = client_of(world.agent_user).get("/me/training/").content.decode()
    assert "Renewals due" in page and "Due for renewal" in page and "2 of 2" in page


def test_another_agent_sees_neither_the_module_nor_the_attempt(world, trained):
    colleague = factories.make_agent(world.provider, full_name="Carl Colleague")
    colleague_user = factories.make_agent_login(colleague)
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    client = client_of(colleague_user)
    assert client.get(f"/me/training/modules/{trained.module.pk}/").status_code == 404
    assert client.get(f"/training/attempts/{attempt.pk}/").status_code == 404
    assert "HIPAA" not in client.get("/me/training/").content.decode()


def test_a_trainer_reads_a_submitted_attempt_but_not_one_under_way(world, trained):
    attempt = training.start_attempt(trained.module, by=world.agent_user)
    manager = client_of(world.provider_manager)
    assert manager.get(f"/training/attempts/{attempt.pk}/").status_code == 404
    training.submit_attempt(attempt, right_answers(trained.module), by=world.agent_user)
    assert manager.get(f"/training/attempts/{attempt.pk}/").status_code == 200


def test_the_module_editor_adds_questions_and_the_curriculum_editor_modules(world):
    client = client_of(world.provider_manager)
    response = client.post(
        "/training/modules/new/",
        {
            "title": "Phishing",
            "kind": ModuleKind.DATA_SECURITY,
            "pass_mark": 80,
            "max_attempts": 3,
            "method": "quiz",
            "material": "Look at the sender.",
        },
    )
    module = world.provider.training_modules.get(title="Phishing")
    assert response.status_code == 302 and module.renewal_months == 12
    client.post(
        f"/training/modules/{module.pk}/questions/",
        {
            "text": "A link asks for your password. You…",
            "choice_1": "Report it",
            "correct_1": "on",
            "choice_2": "Type it in",
        },
    )
    assert module.questions.get().choices.filter(is_correct=True).count() == 1
    response = client.post(
        f"/engagements/{world.engagement.pk}/curriculum/add/", {"module": module.pk, "required": "on"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]][-1] == "Added “Phishing” to the curriculum."
    assert CurriculumItem.objects.get(curriculum__engagement=world.engagement).module == module
    page = client.get(f"/engagements/{world.engagement.pk}/curriculum/").content.decode()
    assert "Phishing" in page


def test_an_attachment_is_validated_and_served_to_the_agent_through_the_view(world, trained):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_of(world.provider_manager)
    bad = SimpleUploadedFile("notes.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    client.post(f"/training/modules/{trained.module.pk}/attachments/", {"file": bad})
    assert not trained.module.attachments.exists()
    good = SimpleUploadedFile("sop.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")
    client.post(f"/training/modules/{trained.module.pk}/attachments/", {"file": good})
    attachment = trained.module.attachments.get()
    response = client_of(world.agent_user).get(f"/training/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert client_of(world.outsider).get(f"/training/attachments/{attachment.pk}/").status_code == 404


def test_the_completions_list_exports_csv(world, trained):
    training.record_by_trainer(
        trained.module, by=world.provider_manager, passed_on=timezone.localdate(), agent=world.agent
    )
    response = client_of(world.provider_manager).get("/training/completions/?_export=csv")
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert "Ana Reyes" in body and "HIPAA essentials" in body


def _grow(world, n):
    for index in range(n):
        agent = factories.make_agent(world.provider)
        make_onboarding(world.engagement, agent=agent)
        module = make_quiz_module(world.provider_manager, title=f"Module {index}", kind=ModuleKind.SOP, questions=1)
        training.record_by_trainer(module, by=world.provider_manager, passed_on=timezone.localdate(), agent=agent)


@pytest.mark.parametrize("url", ["/training/modules/", "/training/completions/", "/training/curricula/"])
def test_lists_take_a_constant_number_of_queries(world, trained, django_assert_max_num_queries, url):
    client = client_of(world.provider_manager)
    _grow(world, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    _grow(world, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_agents_page_takes_a_constant_number_of_queries(world, trained, django_assert_max_num_queries):
    client = client_of(world.agent_user)
    with django_assert_max_num_queries(30) as small:
        client.get("/me/training/")
    for index in range(6):
        module = make_quiz_module(world.provider_manager, title=f"Extra {index}", kind=ModuleKind.SOP, questions=1)
        training.add_to_curriculum(world.engagement, module, by=world.provider_manager)
    with django_assert_max_num_queries(len(small.captured_queries) + 1):
        client.get("/me/training/")


def test_the_onboarding_page_shows_the_training_section_and_timeline(world, trained):
    training.record_by_trainer(
        trained.module,
        by=world.provider_manager,
        passed_on=timezone.localdate() - timedelta(days=400),
        agent=world.agent,
    )
    page = client_of(world.practice_manager).get(f"/onboardings/{trained.onboarding.pk}/").content.decode()
    assert 'data-testid="onboarding-training"' in page and "0 of 1 required modules current" in page
    assert "Passed “HIPAA essentials”" in page and "“HIPAA essentials” expired" in page
