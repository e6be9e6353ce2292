"""Every change of the import: partners, upload, parsing, row edits, processing.

Upload keeps the file verbatim; parsing turns it into rows and touches no business data;
processing creates the documents and the customers, items and addresses they need. A document
is created at most once per (partner, partner reference), whatever is re-imported, and each
chunk of documents commits with its rows' outcome, so a crash leaves nothing half-done.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoices, issue_invoices
from comptoir.catalog.models import Unit
from comptoir.catalog.services import create_items
from comptoir.core.bulk import insert_rows, update_rows
from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.core.validation import full_clean_or_raise
from comptoir.imports.models import (
    Creates,
    ImportBatch,
    ImportPartner,
    ImportRow,
    PartnerCustomer,
    PartnerDocument,
    Strictness,
    Then,
)
from comptoir.imports.parsing import CellReader, FileError, open_table, row_data
from comptoir.imports.planning import (
    Plan,
    PlannedDocument,
    address_key,
    address_of,
    line_amount,
    net_unit_price,
    open_references,
    plan_references,
    unit_code,
)
from comptoir.imports.profiles import check_mapping
from comptoir.parties.models import Address, Customer
from comptoir.parties.services import create_customers
from comptoir.payments.services import PaymentRequest, register_payments
from comptoir.pricing.documents import DocumentRequest
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax, VatCategory
from comptoir.sales.services import confirm_orders, create_orders

PARSE_CHUNK = 5000
DOCUMENTS_PER_CHUNK = 500
PARTNER_FIELDS = {
    "name",
    "creates",
    "then",
    "strictness",
    "price_source",
    "unknown_customer",
    "unknown_item",
    "unknown_tax",
    "unknown_unit",
    "unknown_payment_method",
    "record_payments",
    "has_header",
    "mapping",
    "active",
}


def _check_orders_allowed(creates: str) -> None:
    if creates == Creates.ORDERS and not Company.get().stock_management:
        raise BusinessError(
            "import.orders_need_stock",
            _("Importing orders needs stock management: turn it on in the company settings."),
            "creates",
        )


# Partners ---------------------------------------------------------------------------------------


def save_partner(partner: ImportPartner | None = None, **fields) -> ImportPartner:
    with transaction.atomic():
        if partner is None:
            partner = ImportPartner()
        else:
            partner = ImportPartner.objects.select_for_update().get(pk=partner.pk)
        for name, value in fields.items():
            if name in PARTNER_FIELDS and value is not None:
                setattr(partner, name, value)
        _check_orders_allowed(partner.creates)
        problem = check_mapping(partner.mapping)
        if problem:
            raise BusinessError(
                "import.mapping",
                _("The column mapping is wrong: %(problem)s.") % {"problem": problem},
                "mapping",
            )
        full_clean_or_raise(partner)
        partner.save()
        return partner


# Upload -----------------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return settings.COMPTOIR_IMPORT_MAX_BYTES


def _too_large(size: int) -> BusinessError:
    return BusinessError(
        "import.too_large",
        _("The file is %(size)s MB; files up to %(limit)s MB are accepted.")
        % {"size": round(size / 1e6, 1), "limit": round(max_upload_bytes() / 1e6, 1)},
        "file",
    )


def upload_file(partner: ImportPartner, file_name: str, stream, *, by=None, has_header=None):
    """Store the file as received, with its size and SHA-256; flag a file already received."""
    size = getattr(stream, "size", None)
    if size is not None and size > max_upload_bytes():
        raise _too_large(size)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
        if size > max_upload_bytes():
            raise _too_large(size)
    if size == 0:
        raise BusinessError("import.empty", _("The file is empty."), "file")
    stream.seek(0)
    sha256 = digest.hexdigest()
    with transaction.atomic():
        batch = ImportBatch(
            partner=partner,
            file_name=file_name[:255],
            size=size,
            sha256=sha256,
            uploaded_by=by,
            has_header=partner.has_header if has_header is None else has_header,
            duplicate_of=ImportBatch.objects.filter(partner=partner, sha256=sha256)
            .order_by("pk")
            .first(),
        )
        batch.file.save(f"{sha256[:16]}-{file_name[-80:]}", File(stream), save=False)
        batch.save()
        return batch


# Parsing ----------------------------------------------------------------------------------------


def _lock_batch(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.select_for_update().select_related("partner").get(pk=batch.pk)


def parse_batch(batch: ImportBatch) -> ImportBatch:
    """Read the stored file into rows (values, errors); a file that cannot be read is refused
    with its reason, and its rows are not created. Creates no business record."""
    with transaction.atomic():
        batch = _lock_batch(batch)
        if batch.status != ImportBatch.Status.UPLOADED:
            raise BusinessError(
                "import.already_read", _("This file has already been read."), "status"
            )
        try:
            with transaction.atomic():  # its rows go if the file turns out unreadable
                table, rows = open_table(
                    batch.file.path,
                    batch.file_name,
                    has_header=batch.has_header,
                    mapping=batch.partner.mapping,
                )
                count, file_total = _store_rows(batch, table, rows)
                if count == 0:
                    raise FileError("import.no_rows", _("The file has no rows, only its header."))
        except FileError as error:
            return _refuse_file(batch, error.message)
        except UnicodeDecodeError as error:
            return _refuse_file(
                batch,
                _("The file is not valid %(encoding)s (byte %(position)s).")
                % {"encoding": error.encoding, "position": error.start},
            )
        batch.layout = table.as_dict()
        batch.row_count = count
        batch.file_total = file_total
        batch.status = ImportBatch.Status.PARSED
        batch.save()
        return batch


def _refuse_file(batch: ImportBatch, message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.REFUSED, error=str(message)
    )
    batch.refresh_from_db()
    return batch


def _read_row(reader: CellReader, raw: list[str], data: dict, errors: list) -> dict:
    values, value_errors = reader.parse(data)
    errors = errors + value_errors
    return {
        "raw": raw,
        "data": {k: v for k, v in data.items() if v},
        "values": values,
        "errors": errors,
        "reference": values.get("reference_partenaire", data.get("reference_partenaire", ""))[:100],
        "state": ImportRow.State.INVALID if errors else ImportRow.State.READY,
    }


ROW_COLUMNS = ["batch", "line", "raw", "data", "values", "errors", "reference", "state"]


def _store_rows(batch, table, rows) -> tuple[int, Decimal]:
    """Insert the rows as they are read, in chunks: memory stays flat whatever the file."""
    count = 0
    total = Decimal("0")
    shipping_seen: set[str] = set()
    reader = CellReader()
    dumps = json.dumps
    chunk = []
    for line, cells in rows:
        data, errors = row_data(table, cells)
        row = _read_row(reader, cells, data, errors)
        if not row["errors"]:
            values = row["values"]
            total += line_amount(values)
            if row["reference"] not in shipping_seen:
                shipping_seen.add(row["reference"])
                total += Decimal(values.get("frais_port") or 0)
        chunk.append(
            (
                batch.pk,
                line,
                dumps(cells),
                dumps(row["data"]),
                dumps(row["values"]),
                dumps(row["errors"]),
                row["reference"],
                row["state"],
            )
        )
        if len(chunk) >= PARSE_CHUNK:
            insert_rows(ImportRow, ROW_COLUMNS, chunk)
            count += len(chunk)
            chunk = []
    insert_rows(ImportRow, ROW_COLUMNS, chunk)
    return count + len(chunk), total


def edit_row(row: ImportRow, data: dict) -> ImportRow:
    """Correct a row's values; its checks run again now and again at processing."""
    with transaction.atomic():
        row = ImportRow.objects.select_for_update().get(pk=row.pk)
        if row.state not in ImportRow.OPEN_STATES:
            raise BusinessError(
                "import.row_done",
                _("Line %(line)s has already been processed.") % {"line": row.line},
                "state",
            )
        merged = {**row.data, **{k: str(v or "") for k, v in data.items()}}
        fresh = _read_row(CellReader(), row.raw, merged, [])
        for name in ("data", "values", "errors", "reference", "state"):
            setattr(row, name, fresh[name])
        row.save()
        return row


def purge_batch(batch: ImportBatch) -> int:
    """Delete the rows not processed (the file itself is kept); returns how many."""
    with transaction.atomic():
        batch = _lock_batch(batch)
        deleted, _detail = ImportRow.objects.filter(
            batch=batch, state__in=ImportRow.OPEN_STATES
        ).delete()
        return deleted


# Processing -------------------------------------------------------------------------------------


@dataclass
class Report:
    rows: int = 0
    created_rows: int = 0
    duplicate_rows: int = 0
    failed_rows: int = 0
    documents_created: int = 0
    duplicate_documents: int = 0
    customers_created: int = 0
    items_created: int = 0
    file_total: Decimal = Decimal("0")
    created_total: Decimal = Decimal("0")
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in self.__dict__.items()}


def queue_processing(batch: ImportBatch, *, by=None) -> ImportBatch:
    """Hand the batch to the background worker; its page follows the progress."""
    from comptoir.imports.tasks import process_import

    with transaction.atomic():
        batch = _lock_batch(batch)
        _check_processable(batch)
        batch.status, batch.error = ImportBatch.Status.PROCESSING, ""
        batch.rows_done = _settled_rows(batch)
        batch.save(update_fields=["status", "error", "rows_done"])
        process_import.enqueue(batch.pk, by.pk if by else None)
    batch.refresh_from_db()
    return batch


def _settled_rows(batch: ImportBatch) -> int:
    """Rows done before this run: the progress counts on from there to the file's rows."""
    return batch.rows.exclude(state__in=ImportRow.OPEN_STATES).count()


def _check_processable(batch: ImportBatch) -> None:
    if batch.status not in (
        ImportBatch.Status.PARSED,
        ImportBatch.Status.PROCESSING,
        ImportBatch.Status.PROCESSED,
    ):
        raise BusinessError(
            "import.not_read",
            _("This file cannot be processed: %(status)s.")
            % {"status": batch.get_status_display()},
            "status",
        )
    _check_orders_allowed(batch.partner.creates)


def process_batch(batch: ImportBatch, *, by=None, progress=None) -> Report:
    """Create the documents of the batch's open rows; returns what happened."""
    with transaction.atomic():
        batch = _lock_batch(batch)
        _check_processable(batch)
        batch.status, batch.error = ImportBatch.Status.PROCESSING, ""
        batch.rows_done = _settled_rows(batch)
        batch.save(update_fields=["status", "error", "rows_done"])
    refs = open_references(batch)
    chunks = [
        refs[start : start + DOCUMENTS_PER_CHUNK]
        for start in range(0, len(refs), DOCUMENTS_PER_CHUNK)
    ]
    context = _Context(batch=batch, by=by, currency=Company.get().currency)
    if batch.partner.strictness == Strictness.ALL_OR_NOTHING:
        _process_all_or_nothing(context, chunks, progress)
    else:
        for chunk in chunks:
            _process_chunk_or_each(context, chunk)
            if progress:
                progress(len(chunk))
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.PROCESSED, processed_at=timezone.now()
    )
    return batch_report(batch, context)


@dataclass
class _Context:
    batch: ImportBatch
    by: object
    currency: str
    customers_created: int = 0
    items_created: int = 0


def _process_chunk_or_each(context: _Context, refs: list[str]) -> None:
    """The chunk in one transaction; when it fails, each document in its own, to keep the
    good ones and give the failing one its reason."""
    try:
        with transaction.atomic():
            _process_references(context, refs)
        return
    except (BusinessError, IntegrityError):
        pass
    for ref in refs:
        try:
            with transaction.atomic():
                _process_references(context, [ref])
        except (BusinessError, IntegrityError) as error:
            message = error.message if isinstance(error, BusinessError) else str(error)
            with transaction.atomic():
                _fail_rows(context.batch, [ref], message)


def _process_all_or_nothing(context: _Context, chunks, progress) -> None:
    blocked = 0
    for chunk in chunks:
        with transaction.atomic():
            plan, _duplicates = plan_references(context.batch, chunk, context.currency)
            blocked += _mark_blocked(plan)
    if blocked:
        error = BusinessError(
            "import.anomalies",
            _(
                "%(count)s documents have anomalies: nothing was created. Fix them, or process "
                "the valid documents only."
            )
            % {"count": blocked},
        )
        ImportBatch.objects.filter(pk=context.batch.pk).update(
            status=ImportBatch.Status.PARSED, error=error.message
        )
        raise error
    with transaction.atomic():
        for chunk in chunks:
            _process_references(context, chunk)
            if progress:
                progress(len(chunk))


def _save_row_states(rows: list[ImportRow]) -> None:
    update_rows(
        ImportRow,
        ["state", "errors", "document"],
        [(r.pk, r.state, r.errors, r.document_id) for r in rows],
    )


def _mark_blocked(plan: Plan) -> int:
    changed = []
    for doc in plan.documents:
        if not doc.blocked:
            continue
        for row in doc.rows:
            if row.state == ImportRow.State.INVALID:
                continue  # its own errors stand until it is corrected
            row.state, row.errors = ImportRow.State.FAILED, doc.errors.get(row.pk, [])
            changed.append(row)
    _save_row_states(changed)
    return sum(1 for d in plan.documents if d.blocked)


def _fail_rows(batch: ImportBatch, refs: list[str], message: str) -> None:
    rows = list(
        ImportRow.objects.filter(batch=batch, reference__in=refs, state__in=ImportRow.OPEN_STATES)
    )
    for row in rows:
        row.state, row.errors = ImportRow.State.FAILED, [{"field": "", "message": message}]
    _save_row_states(rows)


def _process_references(context: _Context, refs: list[str]) -> None:
    """Plan and create the documents of these references, inside the caller's transaction."""
    batch = ImportBatch.objects.select_for_update().get(pk=context.batch.pk)
    plan, duplicates = plan_references(context.batch, refs, context.currency)
    _mark_blocked(plan)
    _save_row_states(duplicates)
    documents = _write(plan, context)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=F("rows_done") + sum(len(d.rows) for d in plan.documents) + len(duplicates),
        created_total=F("created_total")
        + sum(
            (d.total_gross if p.prices_include_vat else d.total_net for p, d in documents),
            Decimal("0"),
        ),
    )


# Writing a plan ---------------------------------------------------------------------------------


def _create_reference_rows(plan: Plan) -> tuple[dict[str, Tax], dict[str, Unit]]:
    taxes = dict(plan.taxes)
    if plan.new_taxes:
        created = Tax.objects.bulk_create(
            [
                Tax(
                    code=f"TVA{text}".replace(".", "")[:20],
                    name=f"TVA {text} %",
                    rate=Decimal(text),
                    category=VatCategory.STANDARD,
                )
                for text in sorted(plan.new_taxes)
            ]
        )
        taxes |= dict(zip(sorted(plan.new_taxes), created, strict=True))
    units = dict(plan.units)
    if plan.new_units:
        created = Unit.objects.bulk_create(
            [Unit(code=unit_code(text)[:10], name=text[:50]) for text in sorted(plan.new_units)]
        )
        units |= dict(zip(sorted(plan.new_units), created, strict=True))
    return taxes, units


def _create_customers(plan: Plan, context: _Context) -> dict[str, Customer]:
    customers = dict(plan.customers)
    if not plan.new_customers:
        return customers
    keys = list(plan.new_customers)
    rows, addresses = [], []
    for key in keys:
        header = plan.new_customers[key]
        rows.append(
            {
                "name": header["nom_client"],
                "kind": header.get("type_client", Customer.Kind.COMPANY),
                "siren": header.get("siren", ""),
                "vat_id": header.get("tva_intracom", ""),
                "email": header.get("email", ""),
                "phone": header.get("telephone", ""),
            }
        )
        addresses.append(_new_addresses(header))
    created = create_customers(rows, addresses=addresses)
    links = []
    for key, customer in zip(keys, created, strict=True):
        customers[key] = customer
        external = plan.new_customers[key].get("code_client") or (key if key[0] == "~" else "")
        if external:
            links.append(
                PartnerCustomer(partner=plan.partner, external_id=external, customer=customer)
            )
    PartnerCustomer.objects.bulk_create(links)
    context.customers_created += len(created)
    return customers


def _new_addresses(header: dict) -> list[dict]:
    found = []
    for kind in (Address.Kind.BILLING, Address.Kind.SHIPPING):
        address = address_of(header, kind)
        if (
            address
            and address["city"]
            and address_key(address) not in {address_key(a) for a in found}
        ):
            found.append({**address, "kind": kind, "is_default": True})
    return found


def _add_known_customers_addresses(plan: Plan) -> None:
    """Addresses of matched customers that the file gives and the customer lacks."""
    matched = {c.pk: c for c in plan.customers.values()}
    if not matched:
        return
    known = {
        (a.customer_id, address_key(a.snapshot()))
        for a in Address.objects.filter(customer_id__in=matched)
    }
    new = []
    for doc in plan.ready:
        if doc.customer is None:
            continue
        for data in _new_addresses(doc.header):
            key = (doc.customer.pk, address_key(data))
            if key not in known:
                known.add(key)
                new.append(Address(customer=doc.customer, **{**data, "is_default": False}))
    Address.objects.bulk_create(new)


def _create_items(plan: Plan, taxes, units, context: _Context) -> dict:
    items = dict(plan.items)
    if not plan.new_items:
        return items
    rows = []
    for code, values in plan.new_items.items():
        tax = taxes.get(values.get("taux_tva")) or plan.default_tax
        price = Decimal(values["prix_unitaire"])
        if values.get("prix_ttc"):
            price = price / (1 + Decimal(tax.rate) / 100)
        rows.append(
            {
                "code": code,
                "name": (values.get("designation") or code)[:200],
                "unit": units.get(values.get("unite")) or units.get("C62") or _default_unit(units),
                "tax": tax,
                "sale_price": round(price, 4),
            }
        )
    for item in create_items(rows):
        items[item.code] = item
    context.items_created += len(rows)
    return items


def _default_unit(units: dict) -> Unit:
    unit = Unit.objects.filter(code="C62").first()
    units["C62"] = unit
    return unit


def _requests(plan: Plan, customers, items, taxes) -> list[tuple[PlannedDocument, DocumentRequest]]:
    requests = []
    for doc in plan.ready:
        customer = customers[doc.customer_key] if doc.customer is None else doc.customer
        specs = []
        for row in doc.rows:
            values = row.values
            item = items[values["code_article"]]
            tax = taxes.get(values.get("taux_tva"))
            effective = tax or customer.default_tax or item.tax
            specs.append(
                LineSpec(
                    item=item,
                    quantity=Decimal(values["quantite"]),
                    unit_price=net_unit_price(plan, doc, row, effective),
                    discount_pct=Decimal(values.get("remise_pct") or 0),
                    description=values.get("designation") or None,
                    tax=tax,
                )
            )
        requests.append((doc, DocumentRequest(customer, specs, _header(doc, specs, customer))))
    return requests


def _header(doc: PlannedDocument, specs: list[LineSpec], customer: Customer) -> dict:
    header = doc.header
    result = {"date": _date(header["date_document"]), "customer_reference": doc.reference}
    if header.get("notes"):
        result["notes"] = header["notes"]
    billing = address_of(header, Address.Kind.BILLING)
    shipping = address_of(header, Address.Kind.SHIPPING)
    if billing:
        result["billing_address"] = billing
    if shipping or billing:
        result["shipping_address"] = shipping or billing
    shipping_amount = Decimal(header.get("frais_port") or 0)
    if shipping_amount:
        first = specs[0]
        tax = first.tax or customer.default_tax or first.item.tax
        if doc.prices_include_vat:
            shipping_amount = shipping_amount / (1 + Decimal(tax.rate) / 100)
        result["allowances_charges"] = [
            {
                "amount": str(round(shipping_amount, 2)),
                "is_charge": True,
                "reason": _("Shipping costs"),
                "vat_category": tax.category,
                "vat_rate": str(tax.rate),
            }
        ]
    return result


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _write(plan: Plan, context: _Context) -> list[tuple[PlannedDocument, object]]:
    """Create what the plan's ready documents need, then the documents themselves."""
    if not plan.ready:
        return []
    taxes, units = _create_reference_rows(plan)
    customers = _create_customers(plan, context)
    _add_known_customers_addresses(plan)
    items = _create_items(plan, taxes, units, context)
    pairs = _requests(plan, customers, items, taxes)
    requests = [request for _doc, request in pairs]
    partner = plan.partner
    if partner.creates == Creates.ORDERS:
        documents = create_orders(requests, by=context.by)
        if partner.then == Then.VALIDATE:
            documents = confirm_orders(documents, by=context.by)
    else:
        for request in requests:
            request.header["supply_date"] = request.header["date"]
        documents = create_invoices(requests, by=context.by)
        if partner.then == Then.VALIDATE:
            documents = issue_invoices(documents, by=context.by)
    docs = [doc for doc, _request in pairs]
    if partner.record_payments:
        _record_payments(docs, documents, context)
    links = PartnerDocument.objects.bulk_create(
        [
            PartnerDocument(
                partner=partner,
                reference=doc.reference,
                batch=context.batch,
                number=document.number,
                **{"order" if partner.creates == Creates.ORDERS else "invoice": document},
            )
            for doc, document in zip(docs, documents, strict=True)
        ]
    )
    created = []
    for doc, link in zip(docs, links, strict=True):
        for row in doc.rows:
            row.state, row.errors, row.document = ImportRow.State.CREATED, [], link
            created.append(row)
    _save_row_states(created)
    return list(zip(docs, documents, strict=True))


def _record_payments(docs: list[PlannedDocument], documents, context: _Context) -> None:
    requests = []
    for doc, document in zip(docs, documents, strict=True):
        paid = Decimal(doc.header.get("montant_paye") or 0)
        if paid <= 0:
            continue
        payable = isinstance(document, Invoice) and document.status == Invoice.Status.ISSUED
        share = min(paid, document.total_gross) if payable else Decimal("0")
        requests.append(
            PaymentRequest(
                customer=Customer(pk=document.customer_id),
                amount=paid,
                date=_date(doc.header["date_document"]),
                method=doc.payment_method,
                reference=doc.reference[:100],
                allocations=[(document, share)] if share > 0 else [],
            )
        )
    if requests:
        register_payments(requests, by=context.by)


# The report -------------------------------------------------------------------------------------


def batch_report(batch: ImportBatch, context: _Context | None = None) -> Report:
    batch.refresh_from_db()
    states = dict(
        ImportRow.objects.filter(batch=batch)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    links = PartnerDocument.objects.filter(batch=batch).count()
    duplicate_docs = (
        ImportRow.objects.filter(batch=batch, state=ImportRow.State.DUPLICATE)
        .order_by()
        .values("reference")
        .distinct()
        .count()
    )
    return Report(
        rows=sum(states.values()),
        created_rows=states.get(ImportRow.State.CREATED, 0),
        duplicate_rows=states.get(ImportRow.State.DUPLICATE, 0),
        failed_rows=sum(states.get(s, 0) for s in ImportRow.OPEN_STATES),
        documents_created=links,
        duplicate_documents=duplicate_docs,
        customers_created=context.customers_created if context else 0,
        items_created=context.items_created if context else 0,
        file_total=batch.file_total,
        created_total=batch.created_total,
    )
