"""The coordinators' group may look at news, newsletters, followers and meeting follow-ups in
the admin (forum/admin_access.py); existing databases get the permissions here."""
from django.db import migrations

from forum.admin_access import ensure_coordinator_group

PERMISSIONS = ("communication.view_newspost", "communication.view_newsletter", "communication.view_follower",
               "communication.view_followup")


def forwards(apps, schema_editor):
    # Permissions are created after all migrations (post_migrate); create this app's now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("communication")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    ensure_coordinator_group(apps, permissions=PERMISSIONS, add_permissions=True)


class Migration(migrations.Migration):
    dependencies = [
        ("communication", "0002_issue_preferences_from_accounts"),
        ("forum", "0003_coordinator_group"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
