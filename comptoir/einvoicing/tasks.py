"""Background jobs of e-invoicing: sending issued invoices to the platform."""

from django_tasks import task


@task()
def send_submissions(submission_ids: list[int]) -> int:
    from comptoir.einvoicing.services import send_many

    return send_many(submission_ids)
