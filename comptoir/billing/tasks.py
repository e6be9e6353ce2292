"""Background jobs of billing: making the files of issued documents."""

from django_tasks import task


@task()
def store_issued_files(invoice_ids: list[int]) -> int:
    from comptoir.billing.files import store_files
    from comptoir.billing.models import Invoice

    invoices = Invoice.objects.filter(pk__in=invoice_ids, status=Invoice.Status.ISSUED)
    for invoice in invoices.select_related("credited_invoice").prefetch_related("lines"):
        store_files(invoice)
    return len(invoice_ids)
