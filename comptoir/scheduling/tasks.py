"""The tick: the one task that runs recurring work in the job worker."""

from django_tasks import task


@task()
def tick(token: str) -> list[str]:
    from comptoir.scheduling.services import ensure_ticking, run_due

    try:
        return run_due()
    finally:
        ensure_ticking(token=token)
