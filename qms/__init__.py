"""The shared base of the QMS: settings, URLs, the Celery app and what every module uses."""

from qms.celery import app as celery_app

__all__ = ["celery_app"]
