"""No manager writes past the guard of issued invoices (it is their base manager too).
PostgreSQL's trigger leaves changeable the settled columns as the model lists them, the stored
files of an issued invoice are kept as they are, and no TRUNCATE empties these tables (SQLite's
triggers are made after each migrate: billing.triggers)."""

from django.db import migrations

TRUNCATE_DROP = """
DROP TRIGGER IF EXISTS billing_issuedfile_no_truncate ON billing_issuedfile;
DROP TRIGGER IF EXISTS billing_issuedfile_immutable ON billing_issuedfile;
DROP FUNCTION IF EXISTS billing_refuse_issued_file_change();
DROP TRIGGER IF EXISTS billing_invoiceline_no_truncate ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoice_no_truncate ON billing_invoice;
"""


def install(apps, schema_editor):
    from comptoir.billing import triggers

    if schema_editor.connection.vendor == "postgresql":
        triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0013_sent_email_documents"),
        ("core", "0015_journal_triggers"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="invoice",
            options={
                "base_manager_name": "objects",
                "ordering": ["-date", "-id"],
                "permissions": [
                    ("issue_invoice", "Can issue invoices and credit notes"),
                    ("credit_invoice", "Can credit, correct or cancel issued invoices"),
                ],
                "verbose_name": "invoice",
            },
        ),
        migrations.AlterModelOptions(
            name="invoiceline",
            options={
                "base_manager_name": "objects",
                "ordering": ["position", "id"],
                "verbose_name": "invoice line",
            },
        ),
        migrations.RunPython(install, remove),
    ]
