import django_tables2 as tables

from engagements.models import AccessEntry


class AccessEntryTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name="When", format="Y-m-d H:i:s")
    user_label = tables.Column(verbose_name="Who")
    kind = tables.Column(verbose_name="What")
    object_label = tables.Column(verbose_name="Record")
    ip_address = tables.Column(verbose_name="From")
    token_prefix = tables.Column(verbose_name="API token")

    class Meta:
        model = AccessEntry
        fields = ("at", "user_label", "kind", "object_label", "engagement", "ip_address", "token_prefix", "path")
        empty_text = "Nobody has opened a logged record yet."
