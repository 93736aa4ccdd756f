"""What the communication services share: the error they raise and handing tasks over after commit."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from forum import broker

#: How many recipients one transaction of a newsletter send handles (progress moves per batch).
NEWSLETTER_BATCH = 200


class CommunicationError(ValueError):
    """A request that breaks a rule; the message is user-facing and translated."""


def _publish_task(task: Any, *args: Any) -> None:
    """Hand a task to the worker after commit; if the broker is away the periodic task takes it."""
    transaction.on_commit(lambda: broker.publish(task, [args]), robust=True)
