"""The Celery application.

With REDIS_URL set, Redis is the broker and a worker process runs the tasks. Without it
(the embedded default) tasks run in-process, eagerly, so the portal works with nothing
else installed. Each time a worker connects to the broker it runs the recovery tasks
(forum/recovery.py).
"""
import os

from celery import Celery

from .recovery import RecoverOnConnect

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")

app = Celery("forum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["consumer"].add(RecoverOnConnect)
