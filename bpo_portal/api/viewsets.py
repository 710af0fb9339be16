from rest_framework import viewsets

SAFE_ACTIONS = {"list", "retrieve", "metadata"}


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A viewset whose rows are those the caller may see (reads) or change (writes) — nothing else exists.

    Reads use the model's `for_user(user, "view")`. Writes look the object up in `for_user(user, "change")`
    first; an object the caller can see but not change answers 403, one they cannot see answers 404.
    """

    def scoped(self, action: str):
        return self.queryset.model.objects.for_user(self.request.user, action).select_related(*self.select_related)

    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        return self.scoped("view").order_by(*self.queryset.query.order_by or self.queryset.model._meta.ordering)

    def get_object(self):
        obj = super().get_object()
        if self.action not in SAFE_ACTIONS and not self.scoped("change").filter(pk=obj.pk).exists():
            self.permission_denied(self.request, message="You can see this but not change it.")
        return obj
