"""On PostgreSQL, the database itself refuses to change or delete an issued invoice or its
lines: only the stored settlement (paid, credited, due) may follow payments and credit notes."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION billing_refuse_issued_invoice_change() RETURNS trigger AS $$
DECLARE
    settlement text[] := ARRAY['amount_paid', 'amount_credited', 'amount_due'];
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

CREATE OR REPLACE FUNCTION billing_refuse_issued_line_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM billing_invoice
        WHERE status = 'issued'
          AND id IN (
              CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.invoice_id END,
              CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.invoice_id END
          )
    ) THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_issued_invoice_change();
CREATE TRIGGER billing_invoiceline_immutable BEFORE INSERT OR UPDATE OR DELETE
    ON billing_invoiceline FOR EACH ROW EXECUTE FUNCTION billing_refuse_issued_line_change();
"""

DROP = """
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP FUNCTION IF EXISTS billing_refuse_issued_line_change();
DROP FUNCTION IF EXISTS billing_refuse_issued_invoice_change();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # "%" is PL/pgSQL here, not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_settlement_cache")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
