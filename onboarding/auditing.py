"""Onboarding's writes in the audit log (django-auditlog, like engagements.auditing and slas.auditing). Each area
registers its own models from its hooks module with `register_audited`; a scoped model it does not log goes in
NOT_LOGGED with the reason (tests/engagements/test_audit_trail.py holds every scoped model to one or the other)."""

from auditlog.registry import auditlog

NOT_LOGGED: dict[str, str] = {}


def register_audited(*models, exclude_fields=("id", "created_at", "updated_at")) -> None:
    for model in models:
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=list(exclude_fields), m2m_fields={})


def register_audited_models() -> None:
    """The models every area shares (onboarding/models: pipeline, training, acknowledgements)."""
    from onboarding import models

    register_audited(
        models.Onboarding,
        models.StageChange,
        models.HiringProfile,
        models.TrainingModule,
        models.TrainingCompletion,
        models.PolicyDocument,
        models.PolicyVersion,
        models.Acknowledgement,
        models.BusinessAssociateAgreement,
    )
