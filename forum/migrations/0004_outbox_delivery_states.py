"""Outbox: the Message-ID of every message, "interrupted: delivery unknown" apart from "failed:
not delivered", and the mark for rows that the broker never took (README, Production)."""

from django.db import migrations, models

import forum.models

# What outbox_sweep wrote on a row interrupted mid-send before the status existed.
OLD_INTERRUPTED_NOTE = "Interrupted while sending"


def interrupted_apart(apps, schema_editor):
    OutboxMessage = apps.get_model("forum", "OutboxMessage")
    OutboxMessage.objects.filter(status="failed", last_error__startswith=OLD_INTERRUPTED_NOTE).update(
        status="interrupted"
    )


def interrupted_back(apps, schema_editor):
    OutboxMessage = apps.get_model("forum", "OutboxMessage")
    OutboxMessage.objects.filter(status="interrupted").update(status="failed")


class Migration(migrations.Migration):

    dependencies = [
        ("forum", "0003_coordinator_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="handover_failed",
            field=models.BooleanField(default=False, verbose_name="waiting for the broker"),
        ),
        # Rows already sent keep an empty Message-ID (Django made one that was not stored);
        # a callable default here would give all of them the same one.
        migrations.AddField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(blank=True, default="", max_length=255, verbose_name="Message-ID"),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(
                blank=True, default=forum.models.new_message_id, max_length=255, verbose_name="Message-ID"
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed: not delivered"),
                    ("interrupted", "Interrupted: delivery unknown"),
                ],
                default="queued",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(interrupted_apart, interrupted_back),
    ]
