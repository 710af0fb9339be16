from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from engagements.access import sync_member_groups
from engagements.models import Contract, Membership

# Sent by `seed_demo` once the demo organisations, people and engagements exist, so apps that build on
# engagements (the SLA engine, audits, onboarding) add their own demo data without engagements importing them.
# Arguments: engagements = {engagement name: Engagement}, managers = {organisation: manager user}, today.
demo_seeded = Signal()


@receiver(post_save, sender=Membership, dispatch_uid="engagements.membership_groups")
def membership_saved(sender, instance, **kwargs):
    sync_member_groups(instance)


@receiver(post_save, sender=get_user_model(), dispatch_uid="engagements.user_groups")
def user_saved(sender, instance, **kwargs):
    # Deactivating a user (here or in the Django admin) must drop their engagement access at once.
    membership = Membership.objects.filter(user=instance).first()
    if membership is not None:
        sync_member_groups(membership)


@receiver(post_save, sender=Contract, dispatch_uid="engagements.contract_checkpoints")
def contract_saved(sender, instance, raw=False, **kwargs):
    # However the terms changed (the form, the API, an approved change request), the checkpoints follow them.
    if raw:
        return
    from engagements.services.terms import sync_checkpoints

    sync_checkpoints(instance)
