"""What was voted on is frozen: the candidates' texts on the vote, and on each entry of the
published priority list. Existing votes get the issues' current texts."""
from django.db import migrations, models


def freeze_existing(apps, schema_editor):
    Vote = apps.get_model("issues", "Vote")
    PriorityListEntry = apps.get_model("issues", "PriorityListEntry")
    for vote in Vote.objects.all():
        vote.candidate_texts = {
            str(issue.pk): {"text": issue.text, "focus_area": issue.focus_area.name if issue.focus_area_id else ""}
            for issue in vote.candidates.select_related("focus_area")
        }
        vote.save(update_fields=["candidate_texts"])
    for entry in PriorityListEntry.objects.select_related("issue__focus_area"):
        entry.text = entry.issue.text
        entry.focus_area_name = entry.issue.focus_area.name if entry.issue.focus_area_id else ""
        entry.save(update_fields=["text", "focus_area_name"])


class Migration(migrations.Migration):
    dependencies = [("issues", "0002_ballot_without_paper_flag")]

    operations = [
        migrations.AddField(
            model_name="vote", name="candidate_texts",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="prioritylistentry", name="text",
            field=models.TextField(blank=True, verbose_name="issue as voted on"),
        ),
        migrations.AddField(
            model_name="prioritylistentry", name="focus_area_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="focus area as voted on"),
        ),
        migrations.RunPython(freeze_existing, migrations.RunPython.noop),
    ]
