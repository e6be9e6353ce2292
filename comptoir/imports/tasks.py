"""Reading and processing an import in the background worker (`comptoir db_worker`)."""

import logging

from django.contrib.auth import get_user_model
from django_tasks import task

from comptoir.core import audit
from comptoir.core.errors import BusinessError
from comptoir.imports.models import ImportBatch

logger = logging.getLogger(__name__)


@task()
def read_import(batch_id: int) -> str:
    """Read an uploaded file into rows, within the limits of the settings; the batch ends read
    or refused with the reason."""
    from comptoir.imports.services import parse_batch, refuse_unreadable

    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportBatch.Status.UPLOADED:
        return batch.status  # read already (the job ran twice)
    try:
        return parse_batch(batch).status
    except Exception:
        logger.exception("Import #%s could not be read", batch_id)
        return refuse_unreadable(batch).status


@task()
def process_import(batch_id: int, user_id: int | None = None) -> dict:
    from comptoir.imports.services import process_batch

    batch = ImportBatch.objects.get(pk=batch_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        with audit.acting(user, "" if user else "worker"):
            return process_batch(batch, by=user).as_dict()
    except BusinessError as error:  # kept on the batch for its page; the job itself is done
        return {"error": error.message}
