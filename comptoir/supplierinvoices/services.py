"""Every state change of supplier invoices: receiving one (from an upload, the API, the command
line or the approved platform: all call ``receive_supplier_invoice``), giving a held one its
supplier, matching it again, the buyer's decision with its lifecycle message, sending that
message to the platform and fetching the invoices the platform holds for the company."""

import hashlib
import logging
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
from comptoir.einvoicing.client import Client
from comptoir.einvoicing.errors import ConnectionSettingsError, PlatformError
from comptoir.einvoicing.models import PlatformConnection
from comptoir.einvoicing.services import client as platform_client
from comptoir.einvoicing.services import next_attempt
from comptoir.einvoicing.statuses import status
from comptoir.purchasing.models import Supplier
from comptoir.purchasing.services import create_supplier
from comptoir.supplierinvoices.matching import match_lines
from comptoir.supplierinvoices.models import (
    Decision,
    IncomingFlow,
    ReceptionSettings,
    SupplierInvoice,
    SupplierInvoiceLine,
)
from comptoir.supplierinvoices.reading import ReceivedInvoice, read_invoice

logger = logging.getLogger(__name__)


class SupplierInvoiceError(StrEnum):
    DUPLICATE = "supplier_invoice.duplicate_number"
    DECIDED = "supplier_invoice.already_decided"
    NOT_A_DECISION = "supplier_invoice.not_a_decision"
    HELD = "supplier_invoice.supplier_unknown"
    NOT_OURS = "supplier_invoice.not_ours"
    SENT = "supplier_invoice.decision_sent"
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
    company: Company
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
            page = _Page(ReceptionSettings.get(), Company.get(), {})
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
    stated = read.as_json()
    seller = read.seller
    supplier = page.supplier_of(read) if page else find_supplier(seller.siren, seller.vat_id)
    first = _first_received(read.number, read.date, supplier, stated["seller"])
    company = page.company if page else Company.get()
    held = _addressing_fault(stated["seller"], stated["buyer"], company)
    if first is not None:
        held = SupplierInvoice.Hold.DUPLICATE
    if (
        supplier is None
        and not held
        and settings.unknown_supplier == ReceptionSettings.UnknownSupplier.CREATE
    ):
        supplier = _supplier_from(read)
    if supplier is None and not held:
        held = SupplierInvoice.Hold.SUPPLIER
    invoice = SupplierInvoice(
        status=SupplierInvoice.Status.HELD if held else SupplierInvoice.Status.RECEIVED,
        held_because=held,
        duplicate_of=first,
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


def _first_received(
    number: str, day, supplier: Supplier | None, seller: dict, exclude=None
) -> SupplierInvoice | None:
    """The invoice already received with the same number and date from the same seller (its
    supplier, or the SIREN or VAT number it states): the same invoice in another file (a CII
    and a UBL of it) is held as its duplicate, never a second invoice to pay."""
    same_seller = Q(supplier=supplier) if supplier is not None else Q()
    siren = compact_siren(seller.get("siren") or "")
    vat_id = compact_vat_id(seller.get("vat_id") or "")
    if siren:
        same_seller |= Q(seller__siren=siren)
    if vat_id:
        same_seller |= Q(seller__vat_id=vat_id)
    if not same_seller:
        return None
    found = SupplierInvoice.objects.filter(same_seller, number=number, date=day)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.filter(duplicate_of__isnull=True).order_by("pk").first()


def _addressing_fault(seller: dict, buyer: dict, company: Company) -> str:
    """Why an invoice is not one of the company's purchases: it states the company as its
    seller, or a buyer whose SIREN or VAT number is not the company's ("" when it is ours, or
    when it names no buyer identifier to compare)."""
    ours = {compact_siren(company.siren or ""), compact_vat_id(company.vat_id or "")} - {""}
    if not ours:
        return ""

    def ids(party: dict) -> set[str]:
        found = {compact_siren(party.get("siren") or ""), compact_vat_id(party.get("vat_id") or "")}
        return found - {""}

    if ids(seller) & ours:
        return SupplierInvoice.Hold.OWN
    stated = ids(buyer)
    if stated and not stated & ours:
        return SupplierInvoice.Hold.OTHER_BUYER
    return ""


def assign_supplier(invoice: SupplierInvoice, supplier: Supplier, *, by=None) -> SupplierInvoice:
    """A held invoice (its seller was unknown) gets its supplier, which learns the seller's
    SIREN and VAT number where it had none, and is matched with the orders."""
    with transaction.atomic():
        invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.supplier_id or invoice.status != SupplierInvoice.Status.HELD:
            raise InvalidTransition(
                SupplierInvoiceError.NOT_HELD, _("This invoice already has its supplier.")
            )
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        siren = compact_siren(invoice.seller.get("siren", ""))
        vat_id = compact_vat_id(invoice.seller.get("vat_id", ""))
        if (siren and not supplier.siren) or (vat_id and not supplier.vat_id):
            supplier.siren = supplier.siren or siren
            supplier.vat_id = supplier.vat_id or vat_id
            full_clean_or_raise(supplier)
            supplier.save(update_fields=["siren", "vat_id"])
        invoice.supplier = supplier
        if invoice.held_because == SupplierInvoice.Hold.SUPPLIER:
            first = _first_received(
                invoice.number, invoice.date, supplier, invoice.seller, exclude=invoice
            )
            invoice.held_because = SupplierInvoice.Hold.DUPLICATE if first else ""
            invoice.duplicate_of = first
            if not first:
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
        _check_decision(invoice, code)
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
        _send_soon([decision.pk])
        return decision


def decisions_admitted(invoice: SupplierInvoice) -> set[int]:
    """The decisions the buyer may take on the invoice now (for the buttons to show)."""
    admitted = set()
    for code in DECISIONS:
        try:
            _check_decision(invoice, code)
        except BusinessError:
            continue
        admitted.add(code)
    return admitted


def _check_decision(invoice: SupplierInvoice, code: int) -> None:
    """Refuse, in words, a decision the invoice's status does not admit."""
    Hold = SupplierInvoice.Hold
    if invoice.status in SupplierInvoice.FINAL:
        raise InvalidTransition(
            SupplierInvoiceError.DECIDED,
            _("This invoice was already decided (%(decision)s): a decision is final.")
            % {"decision": invoice.get_status_display()},
        )
    if invoice.held_because == Hold.DUPLICATE:
        first = invoice.duplicate_of
        raise InvalidTransition(
            SupplierInvoiceError.DUPLICATE,
            _(
                "This file is the invoice %(number)s already received: it is not a second "
                "invoice to pay. Decide on the first one."
            )
            % {"number": first.number if first else invoice.number},
        )
    # Whatever was decided since (a dispute), an invoice not addressed to the company or of
    # no known supplier is never approved.
    if code == 205 and invoice.held_because in (Hold.OTHER_BUYER, Hold.OWN):
        raise InvalidTransition(
            SupplierInvoiceError.NOT_OURS,
            _("%(why)s It cannot be approved: refuse it.")
            % {"why": invoice.get_held_because_display()},
        )
    if code == 205 and invoice.supplier_id is None:
        raise InvalidTransition(
            SupplierInvoiceError.HELD,
            _("No supplier is known for this invoice: choose its supplier first, then approve it."),
        )
    if code not in SupplierInvoice.DECISIONS_ALLOWED.get(invoice.status, ()):
        raise InvalidTransition(
            SupplierInvoiceError.DECIDED,
            _("This invoice is already %(status)s: it can now be approved or refused.")
            % {"status": invoice.get_status_display().lower()},
        )


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


SETTINGS_FIELDS = (
    "unknown_supplier",
    "price_tolerance_pct",
    "quantity_tolerance",
    "account_suppliers",
    "account_purchases",
    "account_services",
    "account_allowances",
    "account_vat",
)


def update_reception_settings(**fields) -> ReceptionSettings:
    with transaction.atomic():
        settings = ReceptionSettings.get()
        settings = ReceptionSettings.objects.select_for_update().get(pk=settings.pk)
        for name in SETTINGS_FIELDS:
            if name in fields:
                setattr(settings, name, fields[name])
        full_clean_or_raise(settings)
        settings.save()
        return settings


# The approved platform: decisions sent, invoices fetched --------------------------------

PAGE = 100  # flows per search


def _send_soon(pks: list[int]) -> None:
    """Once the decision is committed, the worker sends it (if the platform is connected)."""
    if not PlatformConnection.objects.filter(pk=1, enabled=True).exists():
        return
    from comptoir.supplierinvoices.tasks import send_decisions

    transaction.on_commit(lambda: send_decisions.enqueue(pks))


def due_decisions(now=None) -> list[int]:
    """Decisions to send now: never tried, or interrupted (a worker stopped in the middle),
    or whose wait after a fault is over. One the platform refused waits for the buyer."""
    now = now or timezone.now()
    unsent = Decision.objects.filter(sent_at__isnull=True)
    due = unsent.filter(retry_at__lte=now) | unsent.filter(retry_at__isnull=True, failure="")
    return list(due.order_by("pk").values_list("pk", flat=True))


def send_decision(pk: int, *, platform: Client | None = None) -> Decision:
    """Send a decision's lifecycle message to the platform as a flow. Every attempt sends the
    same tracking id and the same bytes: the platform answers a retry with the flow it made
    the first time, so the supplier never gets the message twice."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().select_related("invoice").get(pk=pk)
        if decision.sent_at:
            return decision
        decision.attempts += 1
        content = bytes(decision.message)
        decision.sha256 = hashlib.sha256(content).hexdigest()
        decision.save(update_fields=["attempts", "sha256", "tracking_id"])
    name = f"{decision.invoice.number}-{decision.status}.xml"
    try:
        platform = platform or platform_client()
        flow = platform.submit(
            content,
            {
                "flowSyntax": "CDAR",
                "trackingId": decision.tracking_id,
                "processingRule": "B2B",
                "sha256": decision.sha256,
                "name": name[:255],
            },
            name,
        )
    except (PlatformError, ConnectionSettingsError) as error:
        with transaction.atomic():
            decision = Decision.objects.select_for_update().get(pk=pk)
            decision.failure = error.message
            decision.retry_at = next_attempt(decision.attempts, error)
            decision.save(update_fields=["failure", "retry_at"])
        return decision
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=pk)
        decision.flow_id = str(flow.get("flowId", ""))[:100]
        decision.sent_at = timezone.now()
        decision.failure, decision.retry_at = "", None
        decision.save(update_fields=["flow_id", "sent_at", "failure", "retry_at"])
    return decision


def send_decision_again(decision: Decision) -> Decision:
    """The buyer asks to send again a decision the platform refused (after the connection was
    corrected…): it is due at once, and sent by the worker (still with its tracking id)."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.sent_at:
            raise InvalidTransition(
                SupplierInvoiceError.SENT, _("This decision was already sent to the platform.")
            )
        decision.retry_at = timezone.now()
        decision.save(update_fields=["retry_at"])
        _send_soon([decision.pk])
    return decision


def send_due_decisions(*, platform: Client | None = None) -> int:
    """Send every decision that is due; how many were sent."""
    sent = 0
    for pk in due_decisions():
        sent += send_decision(pk, platform=platform).sent_at is not None
    return sent


def fetch_invoices(*, platform: Client | None = None) -> int:
    """Read the supplier invoices the platform made available since the last time (its
    ``updatedAfter`` cursor) and receive each; the flows that could not be downloaded before
    are asked again. The number of supplier invoices new to Comptoir."""
    platform = platform or platform_client()
    added = 0
    for pk in IncomingFlow.objects.filter(state=IncomingFlow.State.FAILED).values_list(
        "pk", flat=True
    ):
        flow = IncomingFlow.objects.get(pk=pk)
        added += _take_flow(platform, flow.flow_id, flow.syntax, flow.name, flow.updated_at)
    settings = ReceptionSettings.get()
    cursor = settings.fetched_until
    while True:
        where = {"flowType": ["SupplierInvoice"], "flowDirection": ["In"]}
        if cursor:
            where["updatedAfter"] = cursor
        flows = platform.search(where, PAGE)
        for info in flows:
            updated = info.get("updatedAt") or info.get("submittedAt") or cursor
            added += _take_flow(
                platform, info["flowId"], info.get("flowSyntax", ""), info.get("name", ""), updated
            )
            cursor = updated
            ReceptionSettings.objects.filter(pk=settings.pk).update(fetched_until=cursor)
        if len(flows) < PAGE:
            return added


def _take_flow(platform: Client, flow_id: str, syntax: str, name: str, updated: str) -> int:
    """Download one incoming flow and receive its invoice. A flow that cannot be downloaded
    or read is kept with what went wrong, in words; one received before is not again."""
    flow_id = flow_id[:100]
    known = IncomingFlow.objects.filter(flow_id=flow_id).first()
    if known is not None and known.state != IncomingFlow.State.FAILED:
        return 0
    row = {"syntax": syntax[:20], "name": name[:255], "updated_at": (updated or "")[:40]}
    attempts = (known.attempts if known else 0) + 1
    try:
        content = platform.download(flow_id)
    except PlatformError as error:
        _keep_flow(flow_id, row, IncomingFlow.State.FAILED, error.message, attempts=attempts)
        return 0
    try:
        reception = receive_supplier_invoice(
            content, source=SupplierInvoice.Source.PLATFORM, flow_id=flow_id, file_name=name
        )
    except BusinessError as error:
        _keep_flow(
            flow_id, row, IncomingFlow.State.UNREADABLE, error.message, content, attempts=attempts
        )
        return 0
    except Exception as error:  # a fault of the reading itself: the file is kept all the same
        logger.exception("Incoming flow %s could not be received", flow_id)
        reason = _("The file could not be read (%(error)s).") % {"error": type(error).__name__}
        _keep_flow(flow_id, row, IncomingFlow.State.UNREADABLE, reason, content, attempts=attempts)
        return 0
    row["sha256"] = hashlib.sha256(content).hexdigest()
    _keep_flow(
        flow_id, row, IncomingFlow.State.RECEIVED, "", invoice=reception.invoice, attempts=attempts
    )
    return int(reception.created)


def _keep_flow(flow_id, row, state, reason, content=b"", *, invoice=None, attempts=1) -> None:
    IncomingFlow.objects.update_or_create(
        flow_id=flow_id,
        defaults={
            **row,
            "state": state,
            "reason": reason,
            "content": content,
            "invoice": invoice,
            "attempts": attempts,
        },
    )
