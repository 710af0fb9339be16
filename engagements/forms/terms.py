"""Forms of the contract terms area: the outcome of an evaluation checkpoint."""

from django import forms

from engagements.choices import CheckpointOutcome
from engagements.services.terms import DECIDED_OUTCOMES


class CheckpointOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(value, CheckpointOutcome(value).label) for value in DECIDED_OUTCOMES], widget=forms.RadioSelect
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The conditions, or why. Required to continue with conditions. No patient details.",
    )

    def clean(self):
        data = super().clean()
        # The service says the same; saying it here puts the message on the field a person has to fill in.
        if data.get("outcome") == CheckpointOutcome.CONTINUE_WITH_CONDITIONS and not data.get("notes", "").strip():
            self.add_error("notes", "Write down the conditions of continuing.")
        return data
