from django import forms

from engagements.services.webhooks import EVENT_TYPES


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="An https:// address in your system. The portal signs every call with the secret shown next.",
    )
    events = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, help_text="What to be told about.")
    description = forms.CharField(max_length=200, required=False, help_text="What receives it, for your records.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From the registry at the time of the request: apps register their events when they start.
        self.fields["events"].choices = [(name, f"{name} — {text}") for name, text in sorted(EVENT_TYPES.items())]
