"""The portal's Celery app as the test worker runs it: the same app, plus one thing a long-lived test worker needs.

Every transactional test ends by flushing the test database, and the flush re-creates the content types under new
ids. A production worker never sees that, but the test worker outlives many tests, and django-auditlog and
guardian would keep writing the old, cached ids. Forgetting them before each task keeps the worker in step.
"""

from celery.signals import task_prerun

from bpo_portal.celery import app

__all__ = ["app"]


@task_prerun.connect(dispatch_uid="tests.celery_worker_app.forget_content_types")
def _forget_content_types(**kwargs):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
