"""The database refuses to change or delete an issued invoice or its lines, whoever writes:
only its settlement (``Invoice.SETTLEMENT_FIELDS``) follows payments and credit notes. What
else happens to an issued invoice is written beside it, never over it: its stored files
(``IssuedFile``, written once and kept as they are, with their SHA-256) and its e-mails
(``SentEmail``).

PostgreSQL: the functions of migrations 0003 and 0007, the settled columns as listed here, and
no TRUNCATE. SQLite: the same rules, one trigger per statement kind (see core.triggers).
"""

from comptoir.core.triggers import (
    changed,
    install_sqlite,
    no_truncate_postgresql,
    refuse,
    written_once_postgresql,
    written_once_sqlite,
)

INVOICE_POSTGRESQL = """
CREATE OR REPLACE FUNCTION billing_refuse_issued_invoice_change() RETURNS trigger AS $$
DECLARE
    settlement text[] := ARRAY[{settled}];
BEGIN
    IF OLD.status = 'issued' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'issued invoice % cannot be deleted', OLD.number
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF (to_jsonb(NEW) - settlement) IS DISTINCT FROM (to_jsonb(OLD) - settlement) THEN
            RAISE EXCEPTION 'issued invoice % cannot be changed', OLD.number
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

"""

ISSUED_FILE_POSTGRESQL = (
    written_once_postgresql(
        "billing_issuedfile",
        "billing_refuse_issued_file_change",
        "the stored files of an issued invoice",
    )
    + no_truncate_postgresql("billing_invoice")
    + no_truncate_postgresql("billing_invoiceline")
)

ISSUED = "SELECT 1 FROM billing_invoice WHERE status = 'issued' AND id"


def sqlite_triggers(connection) -> dict[str, str]:
    from comptoir.billing.models import Invoice

    changes = changed(connection, "billing_invoice", but=Invoice.SETTLEMENT_FIELDS)
    lines = refuse("the lines of an issued invoice cannot be changed")
    return {
        "billing_invoice_issued_update": "BEFORE UPDATE ON billing_invoice "
        f"WHEN OLD.status = 'issued' AND ({changes}) "
        + refuse("an issued invoice cannot be changed"),
        "billing_invoice_issued_delete": "BEFORE DELETE ON billing_invoice "
        "WHEN OLD.status = 'issued' " + refuse("an issued invoice cannot be deleted"),
        # An invoice issued as it is created (an import's) receives its lines before its
        # journal entry: once sealed, none joins it.
        "billing_invoiceline_issued_insert": "BEFORE INSERT ON billing_invoiceline "
        "WHEN EXISTS (SELECT 1 FROM billing_invoice i JOIN core_journalentry j "
        "ON j.document_id = i.id AND j.kind = i.kind "
        "WHERE i.id = NEW.invoice_id AND i.status = 'issued') " + lines,
        "billing_invoiceline_issued_update": "BEFORE UPDATE ON billing_invoiceline "
        f"WHEN EXISTS ({ISSUED} IN (OLD.invoice_id, NEW.invoice_id)) " + lines,
        "billing_invoiceline_issued_delete": "BEFORE DELETE ON billing_invoiceline "
        f"WHEN EXISTS ({ISSUED} = OLD.invoice_id) " + lines,
        **written_once_sqlite("billing_issuedfile", "the stored files of an issued invoice"),
    }


def install(connection) -> None:
    if connection.vendor == "sqlite":
        install_sqlite(connection, sqlite_triggers(connection))
    elif connection.vendor == "postgresql":
        from comptoir.billing.models import Invoice

        settled = ", ".join(f"'{name}'" for name in Invoice.SETTLEMENT_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                INVOICE_POSTGRESQL.replace("{settled}", settled) + ISSUED_FILE_POSTGRESQL
            )
