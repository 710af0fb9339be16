from django.apps import AppConfig


class BpoPortalConfig(AppConfig):
    name = "bpo_portal"
    verbose_name = "BPO Portal"

    def ready(self):
        from bpo_portal import checks  # noqa: F401 - registers the system checks

        self.map_text_fields_strictly()

    @staticmethod
    def map_text_fields_strictly():
        """Model text fields are written through the API as JSON strings only, as the schema documents them."""
        from django.db import models
        from rest_framework.serializers import ModelSerializer

        from bpo_portal.api.fields import StrictCharField

        ModelSerializer.serializer_field_mapping = {
            **ModelSerializer.serializer_field_mapping,
            models.CharField: StrictCharField,
            models.TextField: StrictCharField,
        }
