from audits.views import compliance as compliance_views

app_name = "audits"

urlpatterns = []

# -- provider compliance audits --
urlpatterns += compliance_views.urlpatterns
