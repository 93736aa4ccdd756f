"""The coordinators' group may look at networks and their money in the admin (read-only)."""
from django.db import migrations

from forum.admin_access import ensure_coordinator_group

PERMISSIONS = (
    "networks.view_network", "networks.view_networkissue", "networks.view_membership",
    "networks.view_budgetpot", "networks.view_allocation", "networks.view_expense",
)


def forwards(apps, schema_editor):
    # The permissions are made after all migrations (post_migrate); make this app's now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("networks")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    ensure_coordinator_group(apps, permissions=PERMISSIONS, add_permissions=True)


class Migration(migrations.Migration):

    dependencies = [
        ("networks", "0001_initial"),
        ("forum", "0003_coordinator_group"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
