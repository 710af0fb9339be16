"""Due diligence rules: certificate validity and evidence checks, the review's score and decision, the vetting gate,
and the certificate-expiry reminder source on given dates."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bpo_portal.errors import DomainError
from engagements import services
from engagements.models import Certification, DueDiligenceDecisionRecord, DueDiligenceReview, Engagement
from engagements.models.diligence import MAX_EVIDENCE_BYTES, certification_status
from engagements.reminders import BOTH
from engagements.services import diligence
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%demo\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def certificate(provider, *, kind="soc2_type2", issued=date(2025, 1, 1), expires=date(2026, 1, 1), evidence=None, **kw):
    cert = Certification(provider=provider, kind=kind, issuer="Schellman", issued_on=issued, expires_on=expires, **kw)
    return diligence.save_certification(cert, by=None, new_evidence=evidence)


class TestCertifications:
    @pytest.mark.parametrize(
        ("today", "status"),
        [
            (date(2025, 11, 1), "valid"),
            (date(2025, 11, 2), "expiring"),  # expiry − 60 days: the first day of the window
            (date(2025, 12, 31), "expiring"),
            (date(2026, 1, 1), "expired"),  # expired from its expiry date on
        ],
    )
    def test_its_status_follows_the_60_day_window(self, today, status):
        assert certification_status(date(2026, 1, 1), today) == status

    def test_it_must_expire_after_it_was_issued_and_nothing_is_written(self, world):
        with pytest.raises(DomainError, match="expire after"):
            certificate(world.provider, issued=date(2026, 1, 1), expires=date(2026, 1, 1))
        assert not Certification.objects.exists()

    def test_an_other_certification_needs_a_name(self, world):
        with pytest.raises(DomainError, match="Name a certification"):
            certificate(world.provider, kind="other")
        assert certificate(world.provider, kind="other", other_name="PCI DSS").name == "PCI DSS"

    def test_it_keeps_a_pdf_and_remembers_its_name(self, world):
        cert = certificate(world.provider, evidence=SimpleUploadedFile("report.PDF", PDF))
        assert cert.evidence_name == "report.PDF"
        assert cert.evidence.name.startswith(f"certifications/{world.provider.pk}/")
        assert cert.evidence_content_type == "application/pdf"

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("virus.exe", b"MZ\x90\x00", "PDF, PNG or JPEG"),
            ("fake.pdf", b"<html>not a pdf</html>", "not a real PDF"),
            ("image.jpg", PNG, "not a real JPG"),
        ],
    )
    def test_it_refuses_evidence_that_is_not_a_pdf_png_or_jpeg(self, world, name, content, message):
        with pytest.raises(DomainError, match=message):
            certificate(world.provider, evidence=SimpleUploadedFile(name, content))
        assert not Certification.objects.exists()

    def test_it_refuses_evidence_over_the_size_limit(self, world):
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_EVIDENCE_BYTES)
        with pytest.raises(DomainError, match="at most 10 MB"):
            certificate(world.provider, evidence=big)

    def test_a_new_file_replaces_and_deletes_the_old_one(self, world, django_capture_on_commit_callbacks):
        cert = certificate(world.provider, evidence=SimpleUploadedFile("a.pdf", PDF))
        old = cert.evidence.name
        storage = cert.evidence.storage
        with django_capture_on_commit_callbacks(execute=True):
            diligence.save_certification(cert, by=None, new_evidence=SimpleUploadedFile("b.png", PNG))
        assert not storage.exists(old) and storage.exists(cert.evidence.name)
        with django_capture_on_commit_callbacks(execute=True):
            diligence.delete_certification(cert, by=None)
        assert not storage.exists(cert.evidence.name)

    def test_evidence_is_for_the_provider_and_its_practices_only(self, world):
        cert = certificate(world.provider)
        visible = Certification.objects.with_evidence_for
        assert visible(world.practice_staff).filter(pk=cert.pk).exists()
        assert visible(world.provider_staff).filter(pk=cert.pk).exists()
        assert visible(world.admin).filter(pk=cert.pk).exists()
        assert not visible(world.outsider).filter(pk=cert.pk).exists()
        assert not visible(world.other_provider_manager).filter(pk=cert.pk).exists()
        # …while the certification itself is in the directory everyone browses.
        assert Certification.objects.for_user(world.outsider).filter(pk=cert.pk).exists()
        assert not Certification.objects.for_user(world.outsider, "change").exists()
        assert Certification.objects.for_user(world.provider_manager, "change").filter(pk=cert.pk).exists()


def rate_all(review, rating, by):
    return diligence.update_due_diligence_items(review, {i.key: {"rating": rating} for i in review.items.all()}, by=by)


class TestReview:
    def test_it_starts_with_every_item_unrated_at_its_default_weight(self, world):
        review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        items = list(review.items.all())
        assert len(items) == 11 and all(item.rating is None for item in items)
        assert {item.key: item.weight for item in items}["encryption"] == 3
        score = review.summary()
        assert (score.score, score.rated, score.unrated) == (None, 0, 11)

    def test_there_is_one_review_per_engagement(self, world):
        diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        with pytest.raises(DomainError, match="already has"):
            diligence.start_due_diligence(world.engagement, by=world.practice_manager)

    def test_the_score_is_weighted_over_the_rated_items(self, world):
        review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        # encryption (weight 3) at 5 and cultural fit (weight 1) at 1: (15 + 1) / (5 × 4) = 80%.
        diligence.update_due_diligence_items(
            review, {"encryption": {"rating": 5}, "cultural_fit": {"rating": 1}}, by=world.practice_manager
        )
        score = review.summary()
        assert (score.score, score.rated, score.unrated) == (80, 2, 9)

    def test_a_bad_rating_rejects_the_whole_update(self, world):
        review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        with pytest.raises(DomainError, match="between 0 and 5"):
            diligence.update_due_diligence_items(
                review, {"encryption": {"rating": 4}, "cultural_fit": {"rating": 6}}, by=world.practice_manager
            )
        assert review.summary().rated == 0

    def test_values_belong_to_their_items(self, world):
        review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        with pytest.raises(DomainError, match="has no date"):
            diligence.update_due_diligence_items(
                review, {"encryption": {"date_value": date(2025, 1, 1)}}, by=world.practice_manager
            )
        with pytest.raises(DomainError, match="future"):
            diligence.update_due_diligence_items(
                review, {"penetration_test": {"date_value": date.today() + timedelta(days=3)}}, by=None
            )
        diligence.update_due_diligence_items(
            review,
            {"penetration_test": {"date_value": date(2025, 3, 1)}, "breach_notification": {"number_value": 24}},
            by=None,
        )
        values = {i.key: (i.date_value, i.number_value) for i in review.items.all()}
        assert values["penetration_test"][0] == date(2025, 3, 1) and values["breach_notification"][1] == 24

    def test_deciding_needs_every_item_rated(self, world):
        review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        diligence.update_due_diligence_items(review, {"encryption": {"rating": 5}}, by=world.practice_manager)
        with pytest.raises(DomainError, match="10 still unrated"):
            diligence.decide_due_diligence(review, "approve", by=world.practice_manager)
        assert not DueDiligenceDecisionRecord.objects.exists()

    def test_approving_with_conditions_needs_the_conditions(self, world):
        review = rate_all(diligence.start_due_diligence(world.engagement, by=world.practice_manager), 3, None)
        with pytest.raises(DomainError, match="conditions"):
            diligence.decide_due_diligence(review, "approve_with_conditions", by=world.practice_manager)
        review = diligence.decide_due_diligence(
            review, "approve_with_conditions", by=world.practice_manager, conditions="New pen test by March."
        )
        assert review.is_approved and review.decided_by == world.practice_manager and review.decided_at
        record = review.decisions.get()
        assert (record.decision, record.score, record.conditions) == (
            "approve_with_conditions",
            60,
            "New pen test by March.",
        )

    def test_changing_a_rating_after_the_decision_reopens_the_review(self, world):
        review = rate_all(diligence.start_due_diligence(world.engagement, by=world.practice_manager), 4, None)
        diligence.decide_due_diligence(review, "approve", by=world.practice_manager)
        review = diligence.update_due_diligence_items(review, {"encryption": {"rating": 1}}, by=None)
        assert review.decision == "" and not review.is_approved
        assert review.decisions.count() == 1  # the earlier decision stays in the history

    def test_the_review_is_frozen_once_the_engagement_leaves_vetting(self, world):
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)
        review = DueDiligenceReview.objects.get()
        with pytest.raises(DomainError, match="only while it is in vetting"):
            diligence.update_due_diligence_items(review, {"encryption": {"rating": 1}}, by=None)
        with pytest.raises(DomainError, match="only while it is in vetting"):
            diligence.decide_due_diligence(review, "reject", by=None)


class TestVettingGate:
    def test_an_engagement_without_a_review_cannot_leave_vetting(self, world):
        with pytest.raises(DomainError, match="Complete the due-diligence review"):
            services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)
        world.engagement.refresh_from_db()
        assert world.engagement.status == "vetting" and world.engagement.status_changes.count() == 1

    def test_an_undecided_or_rejected_review_keeps_it_in_vetting(self, world):
        review = diligence.start_due_diligence(world.engagement, by=world.practice_manager)
        with pytest.raises(DomainError, match="has no decision yet"):
            services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)
        rate_all(review, 1, None)
        diligence.decide_due_diligence(review, "reject", by=world.practice_manager)
        with pytest.raises(DomainError, match="rejects the provider"):
            services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)

    def test_an_approved_review_lets_it_move_on_and_ending_never_needs_one(self, world):
        services.change_engagement_status(world.other_engagement, "ended", by=world.outsider)
        factories.approve_due_diligence(world.engagement, by=world.practice_manager)
        engagement = services.change_engagement_status(world.engagement, "contracting", by=world.practice_manager)
        assert engagement.status == "contracting"


class TestCertificateReminders:
    def test_nothing_is_due_before_the_window(self, world):
        certificate(world.provider, expires=date(2026, 1, 1))
        assert list(diligence.due_items(Engagement.objects.all(), date(2025, 11, 1))) == []

    def test_the_first_reminder_is_due_when_the_window_opens(self, world):
        cert = certificate(world.provider, expires=date(2026, 1, 1))
        items = list(diligence.due_items(Engagement.objects.filter(pk=world.engagement.pk), date(2025, 11, 20)))
        assert len(items) == 1
        due = items[0]
        assert (due.kind, due.item, due.due_on, due.level) == (
            "certificate_expiring",
            cert,
            date(2025, 11, 2),
            "warning",
        )
        assert (due.engagement, due.side) == (world.engagement, BOTH)
        assert "expires on 01 Jan 2026" in due.title and due.url == world.provider.get_absolute_url()

    def test_a_second_reminder_is_due_on_the_expiry_date(self, world):
        certificate(world.provider, expires=date(2026, 1, 1))
        [due] = diligence.due_items(Engagement.objects.filter(pk=world.engagement.pk), date(2026, 1, 1))
        assert (due.due_on, due.level) == (date(2026, 1, 1), "danger")
        assert "expired on" in due.title

    def test_it_names_only_the_providers_of_the_given_engagements(self, world):
        certificate(world.other_provider, expires=date(2026, 1, 1))
        engagements = Engagement.objects.filter(pk=world.engagement.pk)
        assert list(diligence.due_items(engagements, date(2026, 1, 5))) == []
        everything = Engagement.objects.all()
        assert [due.engagement for due in diligence.due_items(everything, date(2026, 1, 5))] == [world.other_engagement]

    def test_a_renewed_certificate_silences_the_old_one(self, world):
        certificate(world.provider, expires=date(2026, 1, 1))
        certificate(world.provider, issued=date(2025, 12, 1), expires=date(2027, 1, 1))
        engagements = Engagement.objects.all()
        assert list(diligence.due_items(engagements, date(2026, 1, 5))) == []

    def test_each_engagement_with_the_provider_is_told(self, world):
        second = factories.make_engagement(world.practice, world.provider, by=world.practice_manager, name="Billing")
        certificate(world.provider, expires=date(2026, 1, 1))
        engagements = Engagement.objects.all()
        assert {due.engagement for due in diligence.due_items(engagements, date(2025, 12, 1))} == {
            world.engagement,
            second,
        }
