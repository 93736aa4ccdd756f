"""The coordinators' group "Samordnare" with its admin permissions (forum/admin_access.py),
and admin access for everyone who already holds a coordinator role: from now on the admin
honours Django's permissions, so without the group a coordinator would see nothing there."""
from django.db import migrations

from forum.admin_access import ensure_coordinator_group

# The group's permissions as they stand at this migration (forum/admin_access.py may grow;
# a later migration adds what it adds).
PERMISSIONS = (
    "forum.view_forum", "forum.change_forum",
    "forum.view_focusarea", "forum.add_focusarea", "forum.change_focusarea",
    "forum.view_organisation", "forum.view_affiliation", "forum.change_affiliation",
    "forum.view_forumrole", "forum.view_outboxmessage", "forum.change_outboxmessage",
    "forum.view_outboxattachment", "forum.view_auditevent",
    "events.view_meeting", "events.view_seatpool", "events.view_registration", "events.view_nomination",
    "events.view_invitationbatch", "events.view_diversitytarget",
    "issues.view_issue", "issues.view_issueevent", "issues.view_vote", "issues.view_prioritylistentry",
)


def forwards(apps, schema_editor):
    # Django creates permissions after all migrations (post_migrate); on a fresh database
    # they do not exist yet, so create them here for the apps whose models the group needs.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = ensure_coordinator_group(apps, permissions=PERMISSIONS, add_permissions=True)

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
