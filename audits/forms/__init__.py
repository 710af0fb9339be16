from audits.forms.audits import AuditStartForm, DecideForm, DisputeForm, QualitySettingsForm, RatingForm
from audits.forms.scorecards import CriterionForm, PassMarkForm, ScorecardForm, SectionForm

__all__ = [
    "AuditStartForm",
    "CriterionForm",
    "DecideForm",
    "DisputeForm",
    "PassMarkForm",
    "QualitySettingsForm",
    "RatingForm",
    "ScorecardForm",
    "SectionForm",
]
