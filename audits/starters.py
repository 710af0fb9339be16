"""Starter scorecards a manager can begin from: eye-care front-office calls, and claims work. A starter makes
a draft (version 1) the engagement's managers review, adjust and publish."""

from dataclasses import dataclass

from audits.choices import Scale


@dataclass(frozen=True)
class StarterCriterion:
    name: str
    guidance: str
    weight: int = 1
    scale: str = Scale.YES_NO
    max_points: int | None = None
    allows_na: bool = False
    critical: bool = False


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    description: str
    pass_mark: int
    service_line: str | None  # a ServiceLine code
    sections: tuple[tuple[str, tuple[StarterCriterion, ...]], ...]


FRONT_OFFICE = Starter(
    key="front_office",
    name="Eye-care front office",
    description="Calls and chats with patients: scheduling, questions, insurance, follow-up.",
    pass_mark=85,
    service_line="scheduling",
    sections=(
        (
            "Opening",
            (StarterCriterion("Greeting and identification", "Practice name, own name, offer of help.", weight=1),),
        ),
        (
            "Privacy (HIPAA)",
            (
                StarterCriterion(
                    "Two patient identifiers verified before disclosing anything",
                    "E.g. full name and date of birth checked against the record before any detail is shared.",
                    weight=3,
                    critical=True,
                ),
                StarterCriterion(
                    "HIPAA minimum-necessary disclosure",
                    "Only what the caller is entitled to and needs; nothing to unverified third parties.",
                    weight=3,
                    critical=True,
                ),
            ),
        ),
        (
            "Scheduling and insurance",
            (
                StarterCriterion(
                    "Correct appointment type and provider booked",
                    "Routine exam, contact-lens fitting, medical visit or surgery consult, with the right doctor.",
                    weight=3,
                    allows_na=True,
                ),
                StarterCriterion(
                    "Insurance captured",
                    "Vision and medical plans, subscriber, member id.",
                    weight=2,
                    allows_na=True,
                ),
            ),
        ),
        (
            "Soft skills",
            (
                StarterCriterion(
                    "Empathy and tone",
                    "1 = cold or rushed … 5 = warm, patient, clear.",
                    weight=2,
                    scale=Scale.ONE_TO_FIVE,
                ),
                StarterCriterion(
                    "Hold and transfer etiquette",
                    "Asked before holding, checked back within a minute, warm transfer with context.",
                    allows_na=True,
                ),
            ),
        ),
        (
            "Wrap-up",
            (
                StarterCriterion(
                    "Accurate documentation in the practice's system",
                    "Notes, appointment details and call reason recorded where the practice expects them.",
                    weight=2,
                ),
                StarterCriterion("Correct closing", "Summary, anything else, thanks, practice name."),
            ),
        ),
    ),
)

CLAIMS = Starter(
    key="claims",
    name="Claims processing",
    description="Preparing, submitting and following up insurance claims.",
    pass_mark=90,
    service_line="claims",
    sections=(
        (
            "Claim preparation",
            (
                StarterCriterion(
                    "Correct codes and modifiers",
                    "CPT/HCPCS and ICD-10 codes and modifiers match the visit and the payer's rules.",
                    weight=3,
                ),
                StarterCriterion("Eligibility verified", "Coverage checked for the date of service.", weight=2),
                StarterCriterion(
                    "Attachments complete", "Everything the payer requires is attached.", weight=2, allows_na=True
                ),
            ),
        ),
        (
            "Timeliness and follow-up",
            (
                StarterCriterion("Submitted within 48 h", "From the encounter being ready to bill.", weight=2),
                StarterCriterion(
                    "Denial follow-up noted", "Reason, next step and date recorded on a denial.", allows_na=True
                ),
            ),
        ),
    ),
)

STARTERS = {starter.key: starter for starter in (FRONT_OFFICE, CLAIMS)}
STARTER_CHOICES = [("", "Empty scorecard")] + [(s.key, f"Starter: {s.name}") for s in STARTERS.values()]
