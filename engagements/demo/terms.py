"""Contract terms demo data, added by `seed_demo` after the SLA engine's demo (whose breaches it reads).

- "Front desk 2026" is past its evaluation period, and its clause — 2 SLA breaches within 3 months — is met by
  the service-level slump the SLA demo puts in the last few weeks: the practice may end it without penalty.
  Its notice deadline is a couple of weeks away (the foundation demo's terms), and both its checkpoints have
  their outcomes: continue with conditions at the first, continue at the end of the evaluation.
- "Records and data entry" recorded "continue" at both its checkpoints before the practice chose not to renew.
- "Revenue cycle 2026" keeps its three-year silent renewal, the long-renewal example.

Running it again changes nothing: terms are only saved when they differ, and only pending checkpoints whose day
has come get an outcome.
"""

from auditlog.context import set_actor

from engagements.choices import CheckpointOutcome
from engagements.models import Contract
from engagements.services import terms

# Within the SLA demo's slump: three or four weekly service-level breaches (and often the month's abandonment
# rate) fall in the last five weeks, whatever the day the demo is seeded.
OUTCOMES = {
    "Front desk 2026": [
        (
            CheckpointOutcome.CONTINUE_WITH_CONDITIONS,
            "Continue, provided the weekly service level is back above 80% by the end of the evaluation and a "
            "daily call report is shared with the front desk lead.",
        ),
        (CheckpointOutcome.CONTINUE, "Service level recovered; the evaluation ends and the contract continues."),
    ],
    "Records and data entry": [
        (CheckpointOutcome.CONTINUE, "Indexing accuracy above target from the second month."),
        (CheckpointOutcome.CONTINUE, "Backlog on track to be cleared before the contract ends."),
    ],
}


def seed(engagements: dict, managers: dict, today) -> int:
    """Returns how many checkpoint outcomes it recorded (none on a second run)."""
    recorded = 0
    for name, outcomes in OUTCOMES.items():
        engagement = engagements.get(name)
        contract = Contract.objects.filter(engagement=engagement).first() if engagement else None
        if contract is None or engagement.is_ended:
            continue
        manager = managers[engagement.practice]
        due = contract.checkpoints.pending().filter(due_on__lte=contract.local_today()).order_by("due_on")
        for checkpoint in due:
            if checkpoint.sequence > len(outcomes):
                continue
            outcome, notes = outcomes[checkpoint.sequence - 1]
            with set_actor(manager):
                terms.record_checkpoint_outcome(checkpoint, by=manager, outcome=outcome, notes=notes)
            recorded += 1
    return recorded
