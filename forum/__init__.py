"""The forum portal project package: settings, URLs, the Celery app and the forum-wide domain."""
from .celery import app as celery_app

__all__ = ("celery_app",)
