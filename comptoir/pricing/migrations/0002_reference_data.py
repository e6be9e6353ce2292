from django.db import migrations

from comptoir.pricing.reference_data import load


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0001_initial"),
        ("catalog", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
