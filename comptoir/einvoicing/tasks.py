"""Background jobs of e-invoicing: sending issued invoices to the platform."""

from django_tasks import task


@task()
def send_submissions(submission_ids: list[int]) -> int:
    from comptoir.einvoicing.services import send_submission

    for pk in submission_ids:
        send_submission(pk)
    return len(submission_ids)
