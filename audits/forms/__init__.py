from audits.forms.audits import AuditStartForm, DecideForm, DisputeForm, RatingForm
from audits.forms.scorecards import CriterionForm, PassMarkForm, ScorecardForm, SectionForm

__all__ = [
    "AuditStartForm",
    "CriterionForm",
    "DecideForm",
    "DisputeForm",
    "PassMarkForm",
    "RatingForm",
    "ScorecardForm",
    "SectionForm",
]
