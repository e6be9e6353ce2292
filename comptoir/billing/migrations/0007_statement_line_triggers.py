"""On PostgreSQL, the lines of an issued invoice are checked once per statement, not once per
line; and an invoice issued as it is created (an import's) may receive its lines, all in the
statement that gives it its first ones."""

from importlib import import_module

from django.db import migrations

first = import_module("comptoir.billing.migrations.0003_immutability_trigger")

CREATE = """
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_refuse_issued_line_change();

CREATE OR REPLACE FUNCTION billing_refuse_line_of_issued() RETURNS trigger AS $$
DECLARE
    refused boolean;
BEGIN
    -- Each query names only the transition tables its trigger has.
    IF TG_OP = 'INSERT' THEN
        -- An issued invoice is born with its lines, in one statement: none join it later.
        refused := EXISTS (
            SELECT 1 FROM billing_invoice i
            WHERE i.status = 'issued'
              AND i.id IN (SELECT invoice_id FROM new_lines)
              AND EXISTS (
                  SELECT 1 FROM billing_invoiceline l
                  WHERE l.invoice_id = i.id AND l.id NOT IN (SELECT id FROM new_lines)
              )
        );
    ELSIF TG_OP = 'UPDATE' THEN
        refused := EXISTS (
            SELECT 1 FROM billing_invoice i
            WHERE i.status = 'issued'
              AND i.id IN (SELECT invoice_id FROM old_lines UNION SELECT invoice_id FROM new_lines)
        );
    ELSE
        refused := EXISTS (
            SELECT 1 FROM billing_invoice i
            WHERE i.status = 'issued' AND i.id IN (SELECT invoice_id FROM old_lines)
        );
    END IF;
    IF refused THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoiceline_insert AFTER INSERT ON billing_invoiceline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_line_of_issued();
CREATE TRIGGER billing_invoiceline_update AFTER UPDATE ON billing_invoiceline
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_line_of_issued();
CREATE TRIGGER billing_invoiceline_delete AFTER DELETE ON billing_invoiceline
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_line_of_issued();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_invoiceline_insert ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoiceline_update ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoiceline_delete ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_refuse_line_of_issued();
""" + first.CREATE.split("CREATE TRIGGER billing_invoice_immutable")[0].split(
    "$$ LANGUAGE plpgsql;", 1
)[1] + """
CREATE TRIGGER billing_invoiceline_immutable BEFORE INSERT OR UPDATE OR DELETE
    ON billing_invoiceline FOR EACH ROW EXECUTE FUNCTION billing_refuse_issued_line_change();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_issued_files")]

    operations = [
        migrations.RunPython(first.on_postgresql(CREATE), first.on_postgresql(DROP))
    ]
