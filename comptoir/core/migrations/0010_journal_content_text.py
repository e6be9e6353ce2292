"""The journal keeps each sealed content as the very text that was hashed.

As JSON, the database re-wrote the text (PostgreSQL reorders keys and adds spaces); the
entries already sealed are written back in their canonical form, which is what their hash
was computed on.
"""

import json

from django.db import migrations, models


def canonical_text(apps, schema_editor):
    from comptoir.core.bulk import update_rows
    from comptoir.core.journal import canonical

    entries = apps.get_model("core", "JournalEntry")
    changed = []
    for pk, content in entries.objects.values_list("pk", "content").iterator(chunk_size=2000):
        text = canonical(json.loads(content)).decode()
        if text != content:
            changed.append((pk, text))
        if len(changed) >= 2000:
            update_rows(entries, ["content"], changed)
            changed = []
    update_rows(entries, ["content"], changed)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_company_print_layout"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry",
            name="content",
            field=models.TextField(),
        ),
        migrations.RunPython(canonical_text, migrations.RunPython.noop),
    ]
