"""API documentation pages that work offline: every asset from the sidecar static files, nothing from a CDN."""

from django.http import HttpResponse
from django.template import engines
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# The bundles are ours (the sidecar's static files), but ReDoc's side menu still shows Redocly's logo from their
# CDN. The browser is told to load images, fonts and data from the portal only, so it never fetches it (ReDoc
# hides the logo when it fails to load) and nothing else can reach outside either.
OFFLINE_POLICY = "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'"


def offline(response):
    response["Content-Security-Policy"] = OFFLINE_POLICY
    return response


# drf-spectacular's ReDoc page pulls its fonts from Google; keep everything else and let ReDoc use system fonts.
_OFFLINE_REDOC = engines["django"].from_string(
    """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
    <title>{{ title|default:"Redoc" }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
{% endblock head %}"""
)


class OfflineRedocView(SpectacularRedocView):
    @extend_schema(exclude=True)  # a page about the API, not part of it
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        return offline(HttpResponse(_OFFLINE_REDOC.render(response.data, request)))


class OfflineSwaggerView(SpectacularSwaggerView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return offline(super().get(request, *args, **kwargs))
