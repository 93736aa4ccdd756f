"""The table of the database cache that stands in for Redis while it is unreachable (forum/cache.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0004_outbox_delivery_states'),
    ]

    operations = [
        migrations.CreateModel(
            name='CacheEntry',
            fields=[
                ('cache_key', models.CharField(max_length=255, primary_key=True, serialize=False)),
                ('value', models.TextField()),
                ('expires', models.DateTimeField(db_index=True)),
            ],
            options={
                'db_table': 'forum_cache',
            },
        ),
    ]
