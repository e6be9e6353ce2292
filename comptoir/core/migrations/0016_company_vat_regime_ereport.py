from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0015_journal_triggers")]

    operations = [
        migrations.AddField(
            model_name="company",
            name="vat_regime",
            field=models.CharField(
                choices=[
                    ("normal_monthly", "Normal regime, monthly returns"),
                    ("normal_quarterly", "Normal regime, quarterly returns"),
                    ("simplified", "Simplified regime"),
                    ("franchise", "VAT-free threshold (franchise en base)"),
                ],
                default="normal_monthly",
                help_text="It sets the periods of the e-reporting of sales and payments.",
                max_length=20,
                verbose_name="VAT regime",
            ),
        ),
        migrations.AddField(
            model_name="company",
            name="platform_id",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The 4-character number of the approved platform that sends your e-reporting."
                ),
                max_length=4,
                verbose_name="approved platform number",
            ),
        ),
    ]
