"""Direct-foreign-key object permission tables for Engagement.

django-guardian's generic tables key objects by a text primary key and a content type; these join on a real
foreign key instead, which keeps `engagements_for()` an indexed join as engagements grow.
"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class EngagementUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE)


class EngagementGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE)
