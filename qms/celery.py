"""The Celery app. Tasks are found in every installed app's tasks.py, and in the tasks.py of the cross-module
features that live inside qms/ (evidence packs, the audit trail's sealing); the queues, the routes of tasks to them
and the beat schedule live in settings (the CELERY_* block)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["qms.evidence", "qms.imports", "qms.trail"])
