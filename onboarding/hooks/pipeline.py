"""What the pipeline area registers at app ready (see onboarding/hooks/__init__.py)."""

from onboarding.timeline import TimelineEvent, register_timeline_source


def stage_moves(onboarding):
    for change in onboarding.stage_changes.all():
        yield TimelineEvent(
            change.changed_at,
            "stage",
            f"Moved to {change.get_to_stage_display()}",
            detail=change.note,
            tone="danger" if change.to_stage == "offboarded" else "info",
        )


def register():
    register_timeline_source(stage_moves)
