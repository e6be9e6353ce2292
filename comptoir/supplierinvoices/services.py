"""Every state change of supplier invoices: receiving one (from an upload, the API, the command
line, later the approved platform: all call ``receive_supplier_invoice``), giving a held one
its supplier, matching it again, and the buyer's decision with its lifecycle message."""

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError, InvalidTransition
from comptoir.core.identifiers import (
    compact_siren,
    compact_vat_id,
    validate_siren,
    validate_vat_id,
)
from comptoir.core.models import Company
from comptoir.core.validation import full_clean_or_raise
from comptoir.einvoicing.cdar import CdarError, Party, buyer_decision, write_cdar
from comptoir.einvoicing.statuses import status
from comptoir.purchasing.models import Supplier
from comptoir.purchasing.services import create_supplier
from comptoir.supplierinvoices.matching import match_lines
from comptoir.supplierinvoices.models import (
    Decision,
    ReceptionSettings,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from comptoir.supplierinvoices.reading import ReceivedInvoice, read_invoice


class SupplierInvoiceError(StrEnum):
    DUPLICATE = "supplier_invoice.duplicate_number"
    DECIDED = "supplier_invoice.already_decided"
    NOT_A_DECISION = "supplier_invoice.not_a_decision"
    HELD = "supplier_invoice.supplier_unknown"
    NOT_HELD = "supplier_invoice.supplier_known"


DECISIONS = {
    205: SupplierInvoice.Status.APPROVED,
    207: SupplierInvoice.Status.DISPUTED,
    210: SupplierInvoice.Status.REFUSED,
}


@dataclass(frozen=True)
class Reception:
    invoice: SupplierInvoice
    created: bool  # False: this file or flow was received before, nothing new was recorded


def receive_supplier_invoice(
    content: bytes,
    *,
    source: str,
    flow_id: str | None = None,
    file_name: str = "",
    by=None,
) -> Reception:
    """Records the supplier invoice in this file (Factur-X PDF, CII or UBL), kept verbatim
    with its SHA-256, its supplier found by SIREN or VAT number, its lines matched with the
    purchase order. The same file or the same flow received again records nothing new."""
    sha256 = hashlib.sha256(content).hexdigest()
    found = _received_before(sha256, flow_id)
    if found is not None:
        return Reception(found, False)
    read = read_invoice(content)  # nothing is recorded from a file that cannot be read
    try:
        with transaction.atomic():
            invoice = _record(read, content, sha256, source, flow_id, file_name, by)
    except (IntegrityError, BusinessError):
        # the same file or flow recorded at this moment by another process: its invoice stands
        found = _received_before(sha256, flow_id)
        if found is None:
            raise
        return Reception(found, False)
    return Reception(invoice, True)


PAGE = 100  # files received in one transaction: a page of the Flow Service's search


@dataclass
class _Page:
    """What the files of one page share: the reception settings and the suppliers found."""

    settings: ReceptionSettings
    suppliers: dict[tuple[str, str], Supplier]

    def supplier_of(self, read: ReceivedInvoice) -> Supplier | None:
        key = (read.seller.siren, read.seller.vat_id)
        if key not in self.suppliers:
            found = find_supplier(*key)
            if found is None:
                return None  # asked again: the page may create it
            self.suppliers[key] = found
        return self.suppliers[key]


def receive_supplier_invoices(
    files: list[tuple[bytes, str]], *, source: str, by=None
) -> list[Reception | BusinessError]:
    """``receive_supplier_invoice`` for many files (content, file name), e.g. a page of the
    platform's incoming flows: the files received before are found in one query, and each
    page is written in one transaction (each file in its own savepoint, so that one refused
    file leaves the others). What each file gave, in order: its Reception, or the error that
    refused it."""
    digests = [hashlib.sha256(content).hexdigest() for content, _name in files]
    known = {
        invoice.sha256: invoice
        for invoice in SupplierInvoice.objects.filter(sha256__in=set(digests))
    }
    results: list[Reception | BusinessError] = []
    for start in range(0, len(files), PAGE):
        with transaction.atomic():
            page = _Page(ReceptionSettings.get(), {})
            for (content, name), sha256 in zip(
                files[start : start + PAGE], digests[start : start + PAGE], strict=True
            ):
                if sha256 in known:
                    results.append(Reception(known[sha256], False))
                    continue
                try:
                    read = read_invoice(content)
                    with transaction.atomic():
                        invoice = _record(read, content, sha256, source, None, name, by, page)
                except BusinessError as error:
                    results.append(error)
                    continue
                except IntegrityError:  # recorded at this moment by another process
                    found = _received_before(sha256, None)
                    if found is None:
                        raise
                    results.append(Reception(found, False))
                    continue
                known[sha256] = invoice
                results.append(Reception(invoice, True))
    return results


def _received_before(sha256: str, flow_id: str | None) -> SupplierInvoice | None:
    same = Q(sha256=sha256) | Q(flow_id=flow_id) if flow_id else Q(sha256=sha256)
    return SupplierInvoice.objects.filter(same).first()


def _record(read: ReceivedInvoice, content, sha256, source, flow_id, file_name, by, page=None):
    settings = page.settings if page else ReceptionSettings.get()
    seller = read.seller
    supplier = page.supplier_of(read) if page else find_supplier(seller.siren, seller.vat_id)
    if supplier is None and settings.unknown_supplier == ReceptionSettings.UnknownSupplier.CREATE:
        supplier = _supplier_from(read)
    if supplier is not None:
        _refuse_duplicate(supplier, read.number)
    stated = read.as_json()
    invoice = SupplierInvoice(
        status=SupplierInvoice.Status.RECEIVED if supplier else SupplierInvoice.Status.HELD,
        supplier=supplier,
        number=read.number,
        type_code=read.type_code or "380",
        date=read.date,
        due_date=read.due_date,
        currency=read.currency,
        seller=stated["seller"],
        buyer=stated["buyer"],
        order_reference=read.order_reference,
        vat_breakdown=stated["vat_breakdown"],
        total_lines=read.total_lines,
        total_allowances=read.total_allowances,
        total_charges=read.total_charges,
        total_net=read.total_net,
        total_vat=read.total_vat,
        total_gross=read.total_gross,
        prepaid=read.prepaid,
        amount_due=read.amount_due,
        syntax=read.syntax,
        file_name=file_name[:255],
        sha256=sha256,
        source=source,
        flow_id=flow_id or None,
        received_by=by,
    )
    lines = [
        SupplierInvoiceLine(
            position=line.position[:20],
            name=line.name[:500],
            description=line.description,
            seller_item_code=line.seller_item_code[:100],
            buyer_item_code=line.buyer_item_code[:100],
            order_line_reference=line.order_line[:100],
            quantity=line.quantity,
            unit_code=line.unit_code[:10],
            unit_price=line.unit_price,
            net_amount=line.net_amount,
            vat_category=line.vat_category[:4],
            vat_rate=line.vat_rate,
        )
        for line in read.lines
    ]
    invoice.match = match_lines(invoice, lines, settings)
    extension = "pdf" if read.syntax == "facturx" else "xml"
    invoice.file.save(f"{sha256}.{extension}", ContentFile(content), save=False)
    invoice.save()
    for line in lines:
        line.invoice = invoice
    SupplierInvoiceLine.objects.bulk_create(lines)
    return invoice


def find_supplier(siren: str, vat_id: str) -> Supplier | None:
    """The supplier an invoice's seller is: by its SIREN, else by its VAT number."""
    siren, vat_id = compact_siren(siren or ""), compact_vat_id(vat_id or "")
    if siren:
        found = Supplier.objects.filter(siren=siren).first()
        if found:
            return found
    if vat_id:
        return Supplier.objects.filter(vat_id=vat_id).first()
    return None


def _supplier_from(read: ReceivedInvoice) -> Supplier:
    """A new supplier named as the invoice names its seller."""
    seller = read.seller
    base = (seller.siren or compact_vat_id(seller.vat_id) or read.number)[:16]
    code, suffix = base, 1
    while Supplier.objects.filter(code=code).exists():
        suffix += 1
        code = f"{base}-{suffix}"
    return create_supplier(
        code=code,
        name=(seller.name or code)[:200],
        siren=_valid(validate_siren, compact_siren(seller.siren)),
        vat_id=_valid(validate_vat_id, compact_vat_id(seller.vat_id)),
    )


def _valid(validate, value: str) -> str:
    """The identifier if it is valid, else nothing (the invoice keeps it as stated)."""
    try:
        validate(value)
    except ValidationError:
        return ""
    return value


def _refuse_duplicate(supplier: Supplier, number: str, exclude=None) -> None:
    others = SupplierInvoice.objects.filter(supplier=supplier, number=number)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise BusinessError(
            SupplierInvoiceError.DUPLICATE,
            _("The invoice %(number)s of %(supplier)s was already received, from another file.")
            % {"number": number, "supplier": supplier.name},
        )


def assign_supplier(invoice: SupplierInvoice, supplier: Supplier, *, by=None) -> SupplierInvoice:
    """A held invoice (its seller was unknown) gets its supplier, which learns the seller's
    SIREN and VAT number where it had none, and is matched with the orders."""
    with transaction.atomic():
        invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != SupplierInvoice.Status.HELD:
            raise InvalidTransition(
                SupplierInvoiceError.NOT_HELD, _("This invoice already has its supplier.")
            )
        _refuse_duplicate(supplier, invoice.number, exclude=invoice)
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        siren = compact_siren(invoice.seller.get("siren", ""))
        vat_id = compact_vat_id(invoice.seller.get("vat_id", ""))
        if (siren and not supplier.siren) or (vat_id and not supplier.vat_id):
            supplier.siren = supplier.siren or siren
            supplier.vat_id = supplier.vat_id or vat_id
            full_clean_or_raise(supplier)
            supplier.save(update_fields=["siren", "vat_id"])
        invoice.supplier = supplier
        invoice.status = SupplierInvoice.Status.RECEIVED
        _match(invoice)
        return invoice


def match_again(invoice: SupplierInvoice) -> SupplierInvoice:
    """The match made anew (after a receipt, a corrected order or new tolerances)."""
    with transaction.atomic():
        invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
        _match(invoice)
        return invoice


def _match(invoice: SupplierInvoice) -> None:
    lines = list(invoice.lines.all())
    invoice.match = match_lines(invoice, lines, ReceptionSettings.get())
    invoice.save()
    SupplierInvoiceLine.objects.bulk_update(lines, ["order_line", "problems"])


def decide(
    invoice: SupplierInvoice,
    code: int,
    *,
    reason_code: str = "",
    reason: str = "",
    by=None,
    at=None,
) -> Decision:
    """The buyer approves (205), disputes (207) or refuses (210, with a reason the rules
    admit) the invoice: recorded with its lifecycle message, kept to send to the supplier.
    A decided invoice is not decided again."""
    if code not in DECISIONS:
        raise BusinessError(
            SupplierInvoiceError.NOT_A_DECISION,
            _("A decision approves (205), disputes (207) or refuses (210) the invoice."),
            "status",
        )
    with transaction.atomic():
        invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status in SupplierInvoice.DECIDED:
            raise InvalidTransition(
                SupplierInvoiceError.DECIDED,
                _("This invoice was already decided (%(decision)s): a decision is final.")
                % {"decision": invoice.get_status_display()},
            )
        moment = at or timezone.now()
        message = buyer_decision(
            code,
            invoice_number=invoice.number,
            invoice_date=invoice.date,
            invoice_type=invoice.type_code,
            seller=_seller(invoice),
            buyer=_buyer(),
            at=moment,
            received_at=invoice.received_at,
            reason_code=reason_code,
            reason=reason[:500],
        )
        decision = Decision.objects.create(
            invoice=invoice,
            status=code,
            reason_code=reason_code,
            reason=reason[:500],
            decided_at=moment,
            decided_by=by,
            message_id=message.id[:200],
            message=write_cdar(message),
        )
        invoice.status = DECISIONS[code]
        invoice.save(update_fields=["status"])
        return decision


def _seller(invoice: SupplierInvoice) -> Party:
    seller = invoice.seller
    siren = seller.get("siren") or (invoice.supplier.siren if invoice.supplier_id else "")
    if not siren:
        raise CdarError(
            "cdar_no_seller_id",
            _("The invoice does not state its seller's SIREN: no status can name it."),
        )
    return Party(
        id=siren,
        name=seller.get("name", ""),
        address=seller.get("electronic_address", ""),
        address_scheme=seller.get("electronic_scheme") or "0225",
    )


def _buyer() -> Party:
    company = Company.get()
    return Party(id=company.siren, name=company.legal_name)


def reason_choices(code: int) -> list[tuple[str, str]]:
    """The reasons the rules admit for a decision, as (code, code) pairs for a form."""
    return [(reason, reason) for reason in sorted(status(code).reasons)]


def update_reception_settings(**fields) -> ReceptionSettings:
    with transaction.atomic():
        settings = ReceptionSettings.get()
        settings = ReceptionSettings.objects.select_for_update().get(pk=settings.pk)
        for name in ("unknown_supplier", "price_tolerance_pct", "quantity_tolerance"):
            if name in fields:
                setattr(settings, name, fields[name])
        full_clean_or_raise(settings)
        settings.save()
        return settings
