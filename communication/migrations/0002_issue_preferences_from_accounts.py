"""Carry ``User.notify_issue_updates`` over to the new preferences: an account that had turned
issue mail off keeps it off (``never``); one that had it on keeps the default (immediately)."""
from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    MailPreference = apps.get_model("communication", "MailPreference")
    MailPreference.objects.bulk_create(
        [MailPreference(email=email.strip().lower(), kind="issue_updates", frequency="never")
         for email in User.objects.filter(notify_issue_updates=False).values_list("email", flat=True)],
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    MailPreference = apps.get_model("communication", "MailPreference")
    off = MailPreference.objects.filter(kind="issue_updates", frequency="never").values_list("email", flat=True)
    for email in off:
        User.objects.filter(email__iexact=email).update(notify_issue_updates=False)


class Migration(migrations.Migration):
    dependencies = [
        ("communication", "0001_initial"),
        ("accounts", "0003_user_notify_issue_updates"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
