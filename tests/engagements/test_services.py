from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from bpo_portal.errors import DomainError
from engagements import services
from engagements.access import engagements_for
from engagements.choices import AgentStatus, EngagementStatus, Role, TokenKind
from engagements.models import ApiToken, Engagement, EngagementStatusChange, Invitation, Membership
from tests import factories

pytestmark = pytest.mark.django_db

CONTRACT = {"starts_on": date(2026, 1, 1), "ends_on": date(2027, 1, 1), "evaluation_months": 6, "notice_days": 60}


def walk(engagement, *statuses, by):
    for status in statuses:
        engagement = services.change_engagement_status(engagement, status, by=by)
    return engagement


class TestCreateEngagement:
    def test_it_opens_in_vetting_and_records_who_opened_it(self, world):
        engagement = world.engagement
        assert engagement.status == EngagementStatus.VETTING
        change = engagement.status_changes.get()
        assert (change.from_status, change.to_status, change.changed_by) == ("", "vetting", world.practice_manager)

    def test_both_sides_see_it_and_nobody_else(self, world):
        for user in (world.practice_manager, world.practice_staff, world.provider_manager, world.provider_staff):
            assert world.engagement in Engagement.objects.for_user(user)
        assert world.engagement not in Engagement.objects.for_user(world.outsider)
        assert world.engagement not in Engagement.objects.for_user(world.other_provider_manager)

    def test_a_provider_manager_can_start_one_with_any_practice(self, world):
        engagement = services.create_engagement(
            practice=world.other_practice, provider=world.provider, name="Prospect", by=world.provider_manager
        )
        assert engagement in Engagement.objects.for_user(world.outsider)  # the practice's own manager sees it

    def test_it_refuses_an_engagement_for_another_practice(self, world):
        with pytest.raises(DomainError, match="your own practice"):
            services.create_engagement(
                practice=world.other_practice, provider=world.provider, name="Sneaky", by=world.practice_manager
            )
        assert not Engagement.objects.filter(name="Sneaky").exists()

    def test_staff_cannot_start_an_engagement(self, world):
        with pytest.raises(DomainError, match="manager"):
            services.create_engagement(
                practice=world.practice, provider=world.provider, name="Staff idea", by=world.practice_staff
            )

    def test_a_duplicate_name_for_the_same_pair_is_refused_with_a_message(self, world):
        with pytest.raises(DomainError, match="already have an engagement"):
            services.create_engagement(
                practice=world.practice, provider=world.provider, name="Front desk", by=world.practice_manager
            )


class TestLifecycle:
    def test_it_walks_the_whole_lifecycle_and_records_every_step(self, world):
        by = world.practice_manager
        factories.approve_due_diligence(world.engagement, by=by)
        services.change_engagement_status(world.engagement, "contracting", by=by)
        services.save_contract(world.engagement, by=by, **CONTRACT)
        engagement = walk(world.engagement, "transitioning", "steady", "offboarding", "ended", by=by)
        assert engagement.status == "ended"
        steps = list(
            EngagementStatusChange.objects.filter(engagement=engagement)
            .order_by("pk")
            .values_list("from_status", "to_status")
        )
        assert steps == [
            ("", "vetting"),
            ("vetting", "contracting"),
            ("contracting", "transitioning"),
            ("transitioning", "steady"),
            ("steady", "offboarding"),
            ("offboarding", "ended"),
        ]

    @pytest.mark.parametrize("target", ["transitioning", "steady", "offboarding"])
    def test_vetting_cannot_skip_ahead(self, world, target):
        with pytest.raises(DomainError, match="cannot move"):
            services.change_engagement_status(world.engagement, target, by=world.practice_manager)
        world.engagement.refresh_from_db()
        assert world.engagement.status == "vetting"
        assert world.engagement.status_changes.count() == 1

    def test_an_ended_engagement_stays_ended(self, world):
        walk(world.engagement, "ended", by=world.practice_manager)
        with pytest.raises(DomainError, match="none \\(the engagement has ended\\)"):
            services.change_engagement_status(world.engagement, "vetting", by=world.practice_manager)

    def test_the_transition_needs_a_contract_first(self, world):
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        walk(world.engagement, "contracting", by=world.practice_manager)
        with pytest.raises(DomainError, match="contract"):
            services.change_engagement_status(world.engagement, "transitioning", by=world.practice_manager)

    def test_an_unknown_status_gets_a_clear_message(self, world):
        with pytest.raises(DomainError, match="not an engagement status"):
            services.change_engagement_status(world.engagement, "paused", by=world.practice_manager)


class TestContract:
    def test_it_records_terms_and_derives_dates(self, world):
        contract = services.save_contract(world.engagement, by=world.practice_manager, **CONTRACT)
        assert contract.evaluation_ends_on == date(2026, 7, 1)
        assert contract.notice_deadline == date(2027, 1, 1) - timedelta(days=60)

    @pytest.mark.parametrize("months", [5, 13])
    def test_the_evaluation_period_is_six_to_twelve_months(self, world, months):
        with pytest.raises(DomainError, match="6|12"):
            services.save_contract(
                world.engagement, by=world.practice_manager, **{**CONTRACT, "evaluation_months": months}
            )
        assert not world.engagement.__class__.objects.filter(pk=world.engagement.pk, contract__isnull=False).exists()

    def test_an_end_before_the_start_is_refused(self, world):
        with pytest.raises(DomainError, match="end after it starts"):
            services.save_contract(
                world.engagement, by=world.practice_manager, **{**CONTRACT, "ends_on": date(2025, 12, 31)}
            )

    def test_auto_renewal_needs_a_term_and_a_long_one_is_called_out(self, world):
        with pytest.raises(DomainError, match="renewal term"):
            services.save_contract(world.engagement, by=world.practice_manager, **CONTRACT, auto_renew=True)
        contract = services.save_contract(
            world.engagement, by=world.practice_manager, **CONTRACT, auto_renew=True, renewal_term_months=36
        )
        assert contract.has_long_renewal
        contract = services.save_contract(world.engagement, by=world.practice_manager, renewal_term_months=12)
        assert not contract.has_long_renewal

    def test_switching_auto_renew_off_clears_the_term(self, world):
        services.save_contract(
            world.engagement, by=world.practice_manager, **CONTRACT, auto_renew=True, renewal_term_months=12
        )
        contract = services.save_contract(world.engagement, by=world.practice_manager, auto_renew=False)
        assert contract.renewal_term_months is None

    def test_an_ended_engagements_contract_is_frozen(self, world):
        services.save_contract(world.engagement, by=world.practice_manager, **CONTRACT)
        walk(world.engagement, "ended", by=world.practice_manager)
        with pytest.raises(DomainError, match="ended"):
            services.save_contract(world.engagement, by=world.practice_manager, notice_days=10)

    def test_the_notice_deadline_is_near_within_thirty_days(self, world):
        today = timezone.localdate()
        contract = services.save_contract(
            world.engagement,
            by=world.practice_manager,
            starts_on=today - timedelta(days=300),
            ends_on=today + timedelta(days=80),
            evaluation_months=6,
            notice_days=60,
        )
        assert contract.days_to_notice_deadline() == 20 and contract.notice_deadline_is_near
        contract = services.save_contract(world.engagement, by=world.practice_manager, notice_days=30)
        assert contract.days_to_notice_deadline() == 50 and not contract.notice_deadline_is_near


class TestAgents:
    def test_only_the_engagements_own_provider_agents_can_be_assigned(self, world):
        with pytest.raises(DomainError, match="own agents"):
            services.assign_agent(world.engagement, world.other_agent, by=world.provider_manager)

    def test_an_agent_is_assigned_once(self, world):
        with pytest.raises(DomainError, match="already assigned"):
            services.assign_agent(world.engagement, world.agent, by=world.provider_manager)
        assert world.engagement.assignments.count() == 1

    def test_an_offboarded_agent_cannot_be_assigned(self, world):
        agent = factories.make_agent(world.provider, status=AgentStatus.OFFBOARDED)
        with pytest.raises(DomainError, match="offboarded"):
            services.assign_agent(world.engagement, agent, by=world.provider_manager)


class TestPeople:
    def test_an_invitation_emails_a_one_time_link_that_creates_a_member(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation, link = services.invite_member(
                organization=world.practice,
                email="New.Person@Example.test",
                role=Role.STAFF,
                by=world.practice_manager,
            )
        assert invitation.email == "new.person@example.test"
        assert len(mail.outbox) == 1 and link in mail.outbox[0].body
        raw = link.rstrip("/").rsplit("/", 1)[1]
        assert raw not in invitation.token_hash  # only the hash is stored
        user = services.accept_invitation(raw, first_name="New", last_name="Person", password="a-long-pass-phrase-7")
        assert user.membership.practice == world.practice and user.membership.role == Role.STAFF
        assert world.engagement in Engagement.objects.for_user(user)
        with pytest.raises(DomainError, match="expired or has already been used"):
            services.accept_invitation(raw, first_name="Again", last_name="X", password="a-long-pass-phrase-7")

    def test_a_weak_password_is_refused_and_the_invitation_stays_usable(self, world):
        _, link = services.invite_member(
            organization=world.practice, email="w@example.test", role=Role.STAFF, by=world.practice_manager
        )
        raw = link.rstrip("/").rsplit("/", 1)[1]
        with pytest.raises(DomainError):
            services.accept_invitation(raw, first_name="W", last_name="X", password="password")
        assert not get_user_model().objects.filter(username="w@example.test").exists()
        assert Invitation.objects.get(email="w@example.test").is_usable

    def test_an_expired_invitation_cannot_be_used(self, world):
        invitation, link = services.invite_member(
            organization=world.provider, email="late@example.test", role=Role.STAFF, by=world.provider_manager
        )
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(DomainError, match="expired"):
            services.accept_invitation(
                link.rsplit("/", 2)[1], first_name="L", last_name="X", password="a-long-pass-phrase-7"
            )

    def test_a_new_invitation_replaces_the_open_one(self, world):
        first, _ = services.invite_member(
            organization=world.practice, email="x@example.test", role=Role.STAFF, by=world.practice_manager
        )
        services.invite_member(
            organization=world.practice, email="x@example.test", role=Role.MANAGER, by=world.practice_manager
        )
        first.refresh_from_db()
        assert first.status == "revoked"

    def test_you_cannot_invite_someone_who_already_has_an_account(self, world):
        with pytest.raises(DomainError, match="already has an account"):
            services.invite_member(
                organization=world.practice, email=world.outsider.email, role=Role.STAFF, by=world.practice_manager
            )

    def test_staff_and_other_sides_cannot_invite(self, world):
        with pytest.raises(DomainError, match="Only a manager"):
            services.invite_member(
                organization=world.practice, email="a@example.test", role=Role.STAFF, by=world.practice_staff
            )
        with pytest.raises(DomainError, match="Only a manager"):
            services.invite_member(
                organization=world.practice, email="a@example.test", role=Role.STAFF, by=world.provider_manager
            )

    def test_deactivation_ends_access_and_tokens_at_once(self, world):
        token, _ = services.create_api_token(name="mine", kind=TokenKind.PERSONAL, by=world.practice_staff)
        services.deactivate_member(world.practice_staff.membership, by=world.practice_manager)
        world.practice_staff.refresh_from_db()
        assert not world.practice_staff.is_active
        assert not engagements_for(world.practice_staff).exists()
        assert not world.practice_staff.groups.exists()
        token.refresh_from_db()
        assert token.revoked_at is not None
        services.reactivate_member(world.practice_staff.membership, by=world.practice_manager)
        assert world.engagement in Engagement.objects.for_user(world.practice_staff)

    def test_a_role_change_moves_permissions_with_it(self, world):
        membership = world.practice_staff.membership
        assert not engagements_for(world.practice_staff, "change").exists()
        services.change_member_role(membership, Role.MANAGER, by=world.practice_manager)
        assert world.engagement in engagements_for(world.practice_staff, "change")
        assert world.engagement in engagements_for(world.practice_staff, "manage_contract")

    def test_the_last_manager_cannot_be_demoted_or_deactivated(self, world):
        second = factories.make_member(world.practice, Role.MANAGER)
        services.deactivate_member(second.membership, by=world.practice_manager)
        other_admin = factories.make_member(world.practice, Role.MANAGER)
        services.deactivate_member(other_admin.membership, by=world.practice_manager)
        # world.practice_manager is now the only active manager; only someone else could act, and may not.
        helper = factories.make_member(world.practice, Role.MANAGER)
        services.deactivate_member(helper.membership, by=world.practice_manager)
        with pytest.raises(DomainError, match="yourself"):
            services.deactivate_member(world.practice_manager.membership, by=world.practice_manager)
        colleague = factories.make_member(world.practice, Role.MANAGER)
        services.deactivate_member(world.practice_manager.membership, by=colleague)
        with pytest.raises(DomainError, match="last active manager"):
            services.change_member_role(colleague.membership, Role.STAFF, by=world.admin)

    def test_a_manager_cannot_manage_the_other_sides_people(self, world):
        with pytest.raises(DomainError, match="Only a manager"):
            services.deactivate_member(world.provider_staff.membership, by=world.practice_manager)


class TestTokens:
    def test_an_integration_token_acts_as_its_own_identity_on_its_provider(self, world):
        token = world.integration_token
        identity = token.user
        assert identity != world.provider_manager
        assert identity.membership.provider == world.provider and identity.membership.role == Role.INTEGRATION
        assert not identity.has_usable_password()
        assert list(Engagement.objects.for_user(identity)) == [world.engagement]
        assert not engagements_for(identity, "change").exists()

    def test_only_the_token_hash_is_stored(self, world):
        token = ApiToken.objects.get(pk=world.integration_token.pk)
        assert world.integration_raw_token not in (token.secret_hash, token.prefix)
        assert token.matches(world.integration_raw_token) and not token.matches(world.integration_raw_token + "x")

    def test_revoking_an_integration_token_disables_its_identity(self, world):
        services.revoke_api_token(world.integration_token, by=world.provider_manager)
        world.integration_token.user.refresh_from_db()
        assert not world.integration_token.user.is_active
        assert not engagements_for(world.integration_token.user).exists()

    def test_a_practice_manager_cannot_mint_a_providers_integration_token(self, world):
        with pytest.raises(DomainError, match="Only a manager"):
            services.create_api_token(
                name="x", kind=TokenKind.INTEGRATION, provider=world.provider, by=world.practice_manager
            )
        assert not Membership.objects.filter(role=Role.INTEGRATION, user__first_name="x").exists()

    def test_a_token_needs_a_name(self, world):
        with pytest.raises(DomainError, match="name"):
            services.create_api_token(name="  ", kind=TokenKind.PERSONAL, by=world.practice_manager)
