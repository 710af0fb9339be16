"""Scorecards: either side's managers write drafts; publishing locks a version; a change to a published
scorecard starts a new draft copied from it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.choices import VersionStatus
from audits.models import Criterion, Scorecard, ScorecardVersion, Section
from bpo_portal.errors import DomainError
from engagements.access import can_act_on
from engagements.locking import lock_row


def _require_manager(by, engagement) -> None:
    if not can_act_on(by, engagement, "change"):
        raise DomainError("Only the engagement's managers (either side) can write its scorecards.")


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None


def _locked_draft(version: ScorecardVersion) -> ScorecardVersion:
    version = lock_row(
        ScorecardVersion, version.pk, engagement="scorecard__engagement_id", related=("scorecard__engagement",)
    )
    if not version.is_draft:
        raise DomainError("This version is published and can no longer change. Start a new draft from it.")
    return version


@transaction.atomic
def create_scorecard(*, engagement, name: str, by, service_line=None, description: str = "", pass_mark=85):
    """A new scorecard with an empty draft version 1."""
    _require_manager(by, engagement)
    scorecard = Scorecard(
        engagement=engagement, name=name, service_line=service_line, description=description, created_by=by
    )
    _clean(scorecard)
    scorecard.save()
    version = ScorecardVersion(scorecard=scorecard, number=1, pass_mark=Decimal(pass_mark), created_by=by)
    _clean(version)
    version.save()
    return scorecard


@transaction.atomic
def update_draft(version: ScorecardVersion, *, by, pass_mark=None) -> ScorecardVersion:
    version = _locked_draft(version)
    _require_manager(by, version.scorecard.engagement)
    if pass_mark is not None:
        version.pass_mark = Decimal(pass_mark)
    _clean(version)
    version.save()
    return version


@transaction.atomic
def add_section(version: ScorecardVersion, *, title: str, by, position: int | None = None) -> Section:
    version = _locked_draft(version)
    _require_manager(by, version.scorecard.engagement)
    if position is None:
        position = version.sections.count()
    section = Section(version=version, title=title, position=position)
    _clean(section)
    section.save()
    return section


@transaction.atomic
def save_criterion(criterion: Criterion, *, by) -> Criterion:
    """Add or change a criterion of a draft version."""
    version = _locked_draft(criterion.section.version)
    _require_manager(by, version.scorecard.engagement)
    if criterion.pk is None and not criterion.position:
        criterion.position = criterion.section.criteria.count()
    _clean(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def delete_criterion(criterion: Criterion, *, by) -> None:
    version = _locked_draft(criterion.section.version)
    _require_manager(by, version.scorecard.engagement)
    criterion.delete()


@transaction.atomic
def delete_section(section: Section, *, by) -> None:
    version = _locked_draft(section.version)
    _require_manager(by, version.scorecard.engagement)
    section.delete()


@transaction.atomic
def publish_version(version: ScorecardVersion, *, by) -> ScorecardVersion:
    """Lock a draft for good: from now on audits may be scored on it, and it never changes."""
    version = _locked_draft(version)
    _require_manager(by, version.scorecard.engagement)
    criteria = list(version.ordered_criteria())
    if not criteria:
        raise DomainError("Add at least one criterion before publishing.")
    if any(not section.criteria.exists() for section in version.sections.all()):
        raise DomainError("Every section needs at least one criterion (or remove the empty section).")
    version.status, version.published_at, version.published_by = VersionStatus.PUBLISHED, timezone.now(), by
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


@transaction.atomic
def new_draft_from(version: ScorecardVersion, *, by) -> ScorecardVersion:
    """Start the next draft of a scorecard as a copy of a published version (its sections and criteria)."""
    source = ScorecardVersion.objects.select_related("scorecard__engagement").get(pk=version.pk)
    _require_manager(by, source.scorecard.engagement)
    if not source.is_published:
        raise DomainError("Only a published version can be copied; edit the draft itself.")
    scorecard = lock_row(Scorecard, source.scorecard_id, engagement="engagement_id")
    if scorecard.versions.filter(status=VersionStatus.DRAFT).exists():
        raise DomainError("This scorecard already has a draft version; edit that one.")
    number = (scorecard.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    try:
        with transaction.atomic():
            draft = ScorecardVersion.objects.create(
                scorecard=scorecard, number=number, pass_mark=source.pass_mark, based_on=source, created_by=by
            )
    except IntegrityError:
        raise DomainError("Somebody started a draft of this scorecard at the same moment; edit that one.") from None
    copy_structure(source, draft)
    return draft


def copy_structure(source: ScorecardVersion, target: ScorecardVersion) -> None:
    for section in source.sections.prefetch_related("criteria"):
        copied = Section.objects.create(version=target, title=section.title, position=section.position)
        Criterion.objects.bulk_create(
            Criterion(
                section=copied,
                name=criterion.name,
                guidance=criterion.guidance,
                weight=criterion.weight,
                scale=criterion.scale,
                max_points=criterion.max_points,
                allows_na=criterion.allows_na,
                critical=criterion.critical,
                position=criterion.position,
            )
            for criterion in section.criteria.all()
        )


@transaction.atomic
def create_from_starter(*, engagement, key: str, by, name: str | None = None) -> Scorecard:
    """A new scorecard whose draft version 1 holds a starter's sections and criteria, ready to review."""
    from audits.starters import STARTERS
    from engagements.models import ServiceLine

    starter = STARTERS.get(key)
    if starter is None:
        raise DomainError("Unknown starter scorecard.", field="starter")
    line = ServiceLine.objects.filter(code=starter.service_line).first() if starter.service_line else None
    scorecard = create_scorecard(
        engagement=engagement,
        name=name or starter.name,
        by=by,
        service_line=line,
        description=starter.description,
        pass_mark=starter.pass_mark,
    )
    version = scorecard.versions.get()
    for position, (title, criteria) in enumerate(starter.sections):
        section = Section.objects.create(version=version, title=title, position=position)
        Criterion.objects.bulk_create(
            Criterion(section=section, position=n, **criterion.__dict__) for n, criterion in enumerate(criteria)
        )
    return scorecard


@transaction.atomic
def replace_draft(version: ScorecardVersion, *, by, sections: list[dict], pass_mark=None) -> ScorecardVersion:
    """Replace a draft's whole structure (the API's PUT): [{title, criteria: [{name, weight, scale, …}]}]."""
    version = _locked_draft(version)
    _require_manager(by, version.scorecard.engagement)
    if pass_mark is not None:
        version.pass_mark = Decimal(pass_mark)
        _clean(version)
        version.save(update_fields=["pass_mark"])
    Criterion.objects.filter(section__version=version).delete()
    version.sections.all().delete()
    for position, data in enumerate(sections):
        section = Section(version=version, title=data["title"], position=position)
        _clean(section)
        section.save()
        for n, fields in enumerate(data.get("criteria", [])):
            criterion = Criterion(section=section, position=n, **fields)
            _clean(criterion)
            criterion.save()
    return version


@transaction.atomic
def update_scorecard(scorecard: Scorecard, *, by, **fields) -> Scorecard:
    """Rename or re-describe a scorecard (its versions are what audits keep)."""
    _require_manager(by, scorecard.engagement)
    for name, value in fields.items():
        setattr(scorecard, name, value)
    _clean(scorecard)
    scorecard.save()
    return scorecard
