"""Documents, versions, signatures and the BAA: each rule and its refusal (nothing changes when refused)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements.choices import Role
from onboarding import evidence
from onboarding.choices import DocumentKind
from onboarding.models import Acknowledgement, BusinessAssociateAgreement, PolicyDocument, PolicyVersion
from onboarding.services import acknowledgements as services
from onboarding.signals import prerequisites_changed
from tests import factories
from tests.onboarding.acknowledgements.conftest import PDF, pdf, session_request, sign

pytestmark = pytest.mark.django_db


def _signed(world, docs, on=None):
    return evidence.signed_documents([world.agent.pk], [docs.nda.pk, docs.aup.pk], on)[world.agent.pk]


# --- Documents and versions ------------------------------------------------------------------------------------------


def test_an_engagements_document_is_created_by_its_practices_managers_only(world):
    for user in (world.provider_manager, world.practice_staff, world.outsider, world.agent_user):
        with pytest.raises(DomainError):
            services.create_document(engagement=world.engagement, kind=DocumentKind.NDA, title="NDA", by=user)
    assert not PolicyDocument.objects.exists()
    document = services.create_document(
        engagement=world.engagement, kind=DocumentKind.NDA, title="NDA", by=world.practice_manager
    )
    assert document.engagement == world.engagement and document.created_by == world.practice_manager


def test_a_providers_document_is_created_by_the_providers_managers_only(world):
    for user in (world.practice_manager, world.provider_staff, world.other_provider_manager):
        with pytest.raises(DomainError):
            services.create_document(provider=world.provider, kind=DocumentKind.ACCEPTABLE_USE, title="AUP", by=user)
    services.create_document(provider=world.provider, kind=DocumentKind.ACCEPTABLE_USE, title="AUP", by=world.admin)
    assert PolicyDocument.objects.count() == 1


def test_versions_are_numbered_one_after_another_and_need_a_text_or_a_pdf(world, docs):
    v2 = services.publish_version(docs.nda, effective_on=docs.today, text="Second.", by=world.practice_manager)
    assert (docs.nda_v1.number, v2.number) == (1, 2)
    with pytest.raises(DomainError, match="text"):
        services.publish_version(docs.nda, effective_on=docs.today, text="  ", by=world.practice_manager)
    with pytest.raises(DomainError, match="PDF"):
        services.publish_version(docs.nda, effective_on=docs.today, file=pdf("nda.png", PDF), by=world.practice_manager)
    with pytest.raises(DomainError, match="not a real PDF"):
        services.publish_version(
            docs.nda, effective_on=docs.today, file=pdf("nda.pdf", b"hello"), by=world.practice_manager
        )
    with pytest.raises(DomainError, match="script"):
        services.publish_version(
            docs.nda,
            effective_on=docs.today,
            file=pdf("nda.pdf", PDF + b"<script>alert(1)</script>"),
            by=world.practice_manager,
        )
    assert docs.nda.versions.count() == 2


def test_a_version_cannot_take_effect_in_the_past_or_before_the_previous_one(world, docs):
    with pytest.raises(DomainError, match="today or later"):
        services.publish_version(
            docs.nda, effective_on=docs.today - timedelta(days=1), text="x", by=world.practice_manager
        )
    services.publish_version(
        docs.nda, effective_on=docs.today + timedelta(days=10), text="Later.", by=world.practice_manager
    )
    with pytest.raises(DomainError, match="cannot take effect before"):
        services.publish_version(
            docs.nda, effective_on=docs.today + timedelta(days=5), text="Sooner.", by=world.practice_manager
        )


def test_only_the_owners_managers_publish_versions(world, docs):
    for user in (world.provider_manager, world.practice_staff, world.outsider):
        with pytest.raises(DomainError):
            services.publish_version(docs.nda, effective_on=docs.today, text="x", by=user)
    with pytest.raises(DomainError):
        services.publish_version(docs.aup, effective_on=docs.today, text="x", by=world.practice_manager)
    assert PolicyVersion.objects.count() == 2


def test_a_new_version_in_force_unsigns_everyone(world, docs):
    sign(docs.nda_v1, world.agent_user)
    assert docs.nda.pk in _signed(world, docs)
    services.publish_version(docs.nda, effective_on=docs.today, text="Second.", by=world.practice_manager)
    assert docs.nda.pk not in _signed(world, docs)
    assert [v.number for v in services.unsigned_for(world.agent, world.engagement)] == [1, 2]  # AUP v1, NDA v2


def test_a_future_dated_version_does_not_unsign_anyone_until_its_day(world, docs):
    sign(docs.nda_v1, world.agent_user)
    later = docs.today + timedelta(days=7)
    v2 = services.publish_version(docs.nda, effective_on=later, text="Second.", by=world.practice_manager)
    assert docs.nda.pk in _signed(world, docs)
    assert evidence.current_versions([docs.nda.pk])[docs.nda.pk] == docs.nda_v1.pk
    assert docs.nda.pk not in _signed(world, docs, on=later)
    assert evidence.current_versions([docs.nda.pk], later)[docs.nda.pk] == v2.pk
    with pytest.raises(DomainError, match="not the version in force"):
        sign(v2, world.agent_user)


def test_a_version_in_force_and_a_signature_tell_the_other_areas(world, docs):
    seen = []

    def listener(sender, agent, engagement, cause, **kwargs):
        seen.append((agent, engagement, cause))

    prerequisites_changed.connect(listener)
    try:
        with mock.patch("django.db.transaction.on_commit", lambda fn, robust=False: fn()):
            services.publish_version(
                docs.nda, effective_on=docs.today + timedelta(days=3), text="Later.", by=world.practice_manager
            )
            assert seen == []  # not yet in force
            services.publish_version(docs.aup, effective_on=docs.today, text="v2", by=world.provider_manager)
            assert seen == [(world.agent, world.engagement, "document_version")]
            sign(docs.aup.versions.get(number=2), world.agent_user)
            assert seen[-1] == (world.agent, world.engagement, "document_signed")
    finally:
        prerequisites_changed.disconnect(listener)


# --- Signing ----------------------------------------------------------------------------------------------------------


def test_the_agent_signs_with_their_full_name_in_any_case_and_spacing(world, docs):
    signature = sign(docs.nda_v1, world.agent_user, name="  ana   REYES ")
    assert signature.agent == world.agent and signature.signed_by == world.agent_user
    assert signature.version == docs.nda_v1 and signature.typed_name == "ana REYES"
    assert abs(signature.signed_at - timezone.now()) < timedelta(minutes=1)


@pytest.mark.parametrize("typed", ["Ana", "Ana Reye", "Reyes Ana", "", "Ana  Reyes Jr"])
def test_a_typed_name_that_is_not_the_agents_full_name_is_refused(world, docs, typed):
    with pytest.raises(DomainError, match="Ana Reyes") as refused:
        sign(docs.nda_v1, world.agent_user, name=typed or " ")
    assert refused.value.field == "typed_name"
    assert not Acknowledgement.objects.exists()


def test_only_the_agent_signs_in_their_own_session(world, docs):
    # Somebody else's request (a manager "signing for" the agent), or no session at all, is refused.
    with pytest.raises(DomainError, match="own signed-in session"):
        services.sign(docs.nda_v1, world.agent_user, "Ana Reyes", session_request(world.provider_manager))
    token_request = session_request(world.agent_user)
    token_request.auth = object()  # what DRF's token authentication leaves on a request
    with pytest.raises(DomainError, match="never with an API token"):
        services.sign(docs.nda_v1, world.agent_user, "Ana Reyes", token_request)
    with pytest.raises(DomainError, match="own signed-in session"):
        services.sign(docs.nda_v1, world.agent_user, "Ana Reyes", None)
    # A manager is no agent: they cannot sign at all.
    with pytest.raises(DomainError, match="Only an agent"):
        services.sign(docs.nda_v1, world.provider_manager, "Bea Account", session_request(world.provider_manager))
    assert not Acknowledgement.objects.exists()


def test_a_version_is_signed_once(world, docs):
    sign(docs.nda_v1, world.agent_user)
    with pytest.raises(DomainError, match="already signed"):
        sign(docs.nda_v1, world.agent_user)
    assert Acknowledgement.objects.count() == 1


def test_an_agent_signs_only_documents_they_are_asked_to(world, docs):
    other_agent_user = factories.make_agent_login(world.other_agent, first_name="Omar", last_name="Other")
    with pytest.raises(DomainError, match="not one you are asked to sign"):
        sign(docs.nda_v1, other_agent_user)
    # Offboarded from the engagement: nothing left to sign there.
    docs.onboarding.stage = "offboarded"
    docs.onboarding.save()
    with pytest.raises(DomainError, match="not one you are asked to sign"):
        sign(docs.nda_v1, world.agent_user)


def test_a_replaced_version_cannot_be_signed(world, docs):
    services.publish_version(docs.nda, effective_on=docs.today, text="Second.", by=world.practice_manager)
    with pytest.raises(DomainError, match="not the version in force"):
        sign(docs.nda_v1, world.agent_user)


# --- The BAA ----------------------------------------------------------------------------------------------------------


def test_either_sides_managers_record_the_baa_and_every_record_is_kept(world):
    for user in (world.practice_staff, world.provider_staff, world.outsider, world.agent_user):
        with pytest.raises(DomainError):
            services.record_baa(world.engagement, signed_on=timezone.localdate(), file=pdf(), by=user)
    assert not evidence.has_baa(world.engagement)
    first = services.record_baa(
        world.engagement, signed_on=timezone.localdate() - timedelta(days=400), file=pdf(), by=world.practice_manager
    )
    second = services.record_baa(
        world.engagement, signed_on=timezone.localdate(), file=pdf(), by=world.provider_manager
    )
    assert evidence.has_baa(world.engagement)
    assert services.baa_on_record(world.engagement) == second
    assert list(BusinessAssociateAgreement.objects.filter(engagement=world.engagement)) == [second, first]


def test_a_baa_needs_its_pdf_and_a_signing_date_not_in_the_future(world):
    with pytest.raises(DomainError, match="PDF"):
        services.record_baa(world.engagement, signed_on=timezone.localdate(), file=None, by=world.practice_manager)
    with pytest.raises(DomainError, match="future"):
        services.record_baa(
            world.engagement,
            signed_on=timezone.localdate() + timedelta(days=1),
            file=pdf(),
            by=world.practice_manager,
        )
    assert not BusinessAssociateAgreement.objects.exists()


def test_a_staff_member_promoted_to_manager_may_then_record_it(world):
    world.practice_staff.membership.role = Role.MANAGER
    world.practice_staff.membership.save()
    from engagements.access import sync_member_groups

    sync_member_groups(world.practice_staff.membership)
    services.record_baa(world.engagement, signed_on=timezone.localdate(), file=pdf(), by=world.practice_staff)
    assert evidence.has_baa(world.engagement)
