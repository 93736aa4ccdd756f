"""The coordinators' group "Samordnare" with its admin permissions (forum/admin_access.py),
and admin access for everyone who already holds a coordinator role: from now on the admin
honours Django's permissions, so without the group a coordinator would see nothing there."""
from django.db import migrations

from forum.admin_access import ensure_coordinator_group


def forwards(apps, schema_editor):
    # Django creates permissions after all migrations (post_migrate); on a fresh database
    # they do not exist yet, so create them here for the apps whose models the group needs.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = ensure_coordinator_group(apps, add_permissions=True)

    ForumRole = apps.get_model("forum", "ForumRole")
    User = apps.get_model("accounts", "User")
    coordinators = User.objects.filter(pk__in=ForumRole.objects.filter(role="coordinator").values("user_id"))
    coordinators.filter(is_staff=False).update(is_staff=True)
    for user in coordinators:
        user.groups.add(group)


def backwards(apps, schema_editor):
    # Leave is_staff as it is: it may have been set by hand before this migration.
    apps.get_model("auth", "Group").objects.filter(name="Samordnare").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("forum", "0002_outboxmessage_forum"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_user_notify_issue_updates"),
        ("events", "0002_registration_retention"),
        ("issues", "0002_ballot_without_paper_flag"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
