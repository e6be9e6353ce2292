"""Every change of the import: partners, upload, parsing, row edits, processing.

Upload keeps the file verbatim; parsing turns it into rows and touches no business data;
processing creates the documents and the customers, items and addresses they need. A document
is created at most once per (partner, partner reference), whatever is re-imported, and each
chunk of documents commits with its rows' outcome, so a crash leaves nothing half-done.
"""

from comptoir.imports.services.files import (
    edit_row,
    parse_batch,
    purge_batch,
    queue_reading,
    refuse_unreadable,
    upload_file,
)
from comptoir.imports.services.partners import PARTNER_FIELDS, save_partner
from comptoir.imports.services.processing import (
    Report,
    batch_report,
    process_batch,
    queue_processing,
)

__all__ = [
    "PARTNER_FIELDS",
    "Report",
    "batch_report",
    "edit_row",
    "parse_batch",
    "process_batch",
    "purge_batch",
    "queue_processing",
    "queue_reading",
    "refuse_unreadable",
    "save_partner",
    "upload_file",
]
