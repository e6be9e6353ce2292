"""Processing an import in the background worker (`comptoir db_worker`)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from comptoir.core import audit
from comptoir.core.errors import BusinessError
from comptoir.imports.models import ImportBatch


@task()
def process_import(batch_id: int, user_id: int | None = None) -> dict:
    from comptoir.imports.services import process_batch

    batch = ImportBatch.objects.get(pk=batch_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        with audit.acting(user, "" if user else "worker"):
            return process_batch(batch, by=user, resume=True).as_dict()
    except BusinessError as error:  # kept on the batch for its page; the job itself is done
        return {"error": error.message}
