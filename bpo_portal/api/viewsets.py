from django.db import transaction
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response

from bpo_portal.api.idempotency import IdempotentCreateMixin
from engagements.access import is_portal_admin


class ScopedModelViewSet(IdempotentCreateMixin, viewsets.ModelViewSet):
    """A viewset whose rows are those the caller may see (reads) or change (writes) — nothing else exists.

    `queryset` declares the joins and prefetches a list needs; the model's `for_user(user, "view")` narrows it
    to what the caller may see, so an object out of sight answers 404. A write first finds the object there,
    then requires it in `for_user(user, <write scope>)` too: visible but not changeable answers 403. Creating
    and deleting are portal-admin work unless a viewset says otherwise (`can_create`, `can_destroy`).

    Writes run in a transaction that re-checks, after saving, that the object is still in the caller's write
    scope, so no payload can move an object into another tenant. Every creating POST honours `Idempotency-Key`
    (`IdempotentCreateMixin`); a custom action that creates lists itself in `creating_actions`.
    """

    write_scope = "change"
    denied_message = "You can see this but not change it."

    def scope(self, action: str):
        return self.queryset.model.objects.for_user(self.request.user, action)

    def get_queryset(self):
        return self.queryset.all().for_user(self.request.user, "view")

    def get_write_scope(self) -> str:
        """The `for_user` action a write needs; custom actions override it (e.g. "manage_contract")."""
        return self.write_scope

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            self.check_in_write_scope(obj)
        return obj

    def check_in_write_scope(self, obj) -> None:
        if not self.scope(self.get_write_scope()).filter(pk=obj.pk).exists():
            self.permission_denied(self.request, message=self.denied_message)

    # --- Who may create and delete ---------------------------------------------------------------------------------

    def can_create(self) -> bool:
        return is_portal_admin(self.request.user)

    def can_destroy(self, obj) -> bool:
        return is_portal_admin(self.request.user)

    def create(self, request, *args, **kwargs):
        if not self.can_create():
            self.permission_denied(request, message=f"You cannot add {self.model_plural()}.")
        return super().create(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        if not self.can_destroy(instance):
            self.permission_denied(request, message=f"You cannot delete {self.model_plural()}.")
        self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def model_plural(self) -> str:
        return str(self.queryset.model._meta.verbose_name_plural)

    # --- Writes stay inside the caller's scope ---------------------------------------------------------------------

    def perform_create(self, serializer):
        with transaction.atomic():
            self.check_in_write_scope(serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            self.check_in_write_scope(serializer.save())

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()
