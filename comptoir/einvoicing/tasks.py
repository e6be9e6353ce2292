"""Background jobs of e-invoicing: sending issued invoices to the platform."""

from django_tasks import task


@task()
def send_submissions(submission_ids: list[int]) -> int:
    from comptoir.einvoicing.services import send_many

    return send_many(submission_ids)


@task()
def send_payment_statuses(status_ids: list[int]) -> int:
    """The 212 Encaissée of invoices just fully paid."""
    from comptoir.einvoicing.payment_statuses import send_payment_status

    for pk in status_ids:
        send_payment_status(pk)
    return len(status_ids)


@task()
def read_flow(flow_id: str) -> int:
    """A flow the platform said (by its webhook) changed: read it as the polling would."""
    from comptoir.einvoicing.webhook import read_flow

    return read_flow(flow_id)
