"""The Celery application.

With REDIS_URL set, Redis is the broker and a worker process runs the tasks. Without it
(the embedded default) tasks run in-process, eagerly, so the portal works with nothing
else installed.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")

app = Celery("forum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
