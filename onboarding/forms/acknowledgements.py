"""Forms of the acknowledgements area: shape only; the rules are in onboarding.services.acknowledgements."""

from django import forms

from onboarding.choices import DocumentKind

DATE = forms.DateInput(attrs={"type": "date"})
PDF_ONLY = forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    title = forms.CharField(max_length=150)


class VersionForm(forms.Form):
    effective_on = forms.DateField(widget=DATE, help_text="The version is in force from this day (today or later).")
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="The document's text. Or upload it as a PDF below (or both). Never patient details.",
    )
    file = forms.FileField(required=False, widget=PDF_ONLY, help_text="A PDF, up to 10 MB.")


class SignForm(forms.Form):
    typed_name = forms.CharField(max_length=150, label="Type your full name")
    agree = forms.BooleanField(label="I have read and agree", required=True)


class BAAForm(forms.Form):
    signed_on = forms.DateField(widget=DATE, label="Signed on")
    file = forms.FileField(widget=PDF_ONLY, help_text="The signed BAA as a PDF, up to 10 MB.")
