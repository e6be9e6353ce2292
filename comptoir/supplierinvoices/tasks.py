"""Background jobs of supplier invoices: sending the buyer's decisions to the platform."""

from django_tasks import task


@task()
def send_decisions(decision_ids: list[int]) -> int:
    from comptoir.supplierinvoices.services import send_decision

    for pk in decision_ids:
        send_decision(pk)
    return len(decision_ids)
