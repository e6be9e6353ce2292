"""Coupon codes: whether a document may use one, the discount it gives, and its use recorded.

A document (quotation, order, invoice) names a coupon in ``coupon_code``. Its discount is an
EN 16931 document-level allowance marked ``"source": "coupon"`` in ``allowances_charges``:
a percentage on every VAT group of the lines (``core.totals`` states it per group), or an
amount excluding VAT shared among the VAT groups in proportion to their lines. It is put back
each time the document is priced (``apply_coupon``, called by ``pricing.documents`` after the
lines are priced and before the shipping charge), and taken out when the code is removed.

A use (``CouponRedemption``) is recorded when the document is saved (``redeem``, in the same
transaction, the coupon row locked): the documents of one sale share it (an order made from a
quotation, an invoice made from the order), so a coupon is used once per sale; a draft that
drops the code, or is deleted, gives its use back.
"""

import csv
import io
import operator
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.core import access
from comptoir.core.access import customers_limited_to
from comptoir.core.errors import BusinessError
from comptoir.core.money import ZERO, format_amount, round_amount
from comptoir.core.templatetags.comptoir import percent as format_percent
from comptoir.core.totals import line_amounts, lines_net_amount
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import Coupon, CouponRedemption, CouponReward, normalize_code

SOURCE = "coupon"
FIELD = "coupon_code"
# The document models that hold a coupon, by label, and the redemption's link to each.
KINDS = {"sales.quotation": "quotation", "sales.salesorder": "order", "billing.invoice": "invoice"}
LINKS = ("quotation", "order", "invoice")
# Generated codes leave out the characters read one for another (O/0, I/1).
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# A use counts while a document holds it (a deleted one leaves its row in the history).
HELD = Q(quotation__isnull=False) | Q(order__isnull=False) | Q(invoice__isnull=False)


def visible_coupons(user, coupons=None):
    """The coupons ``user`` sees: those for every customer, and those for a customer they see
    (a salesperson kept to their own customers sees no other's coupon)."""
    rows = Coupon.objects.all() if coupons is None else coupons
    owner = customers_limited_to(user)
    if owner is None:
        return rows
    return rows.filter(Q(customer__isnull=True) | Q(customer__salesperson=owner))


def visible_uses(coupon, user):
    """The coupon's uses by the customers ``user`` sees, the latest first."""
    return access.owned(coupon.redemptions.all(), user)


def with_uses(coupons):
    """The coupons with ``use_count``, the uses that count (those a document holds)."""
    held = reduce(operator.or_, (Q(**{f"redemptions__{name}__isnull": False}) for name in LINKS))
    return coupons.annotate(use_count=Count("redemptions", filter=held))


def _kind(document) -> str | None:
    meta = getattr(document, "_meta", None)
    return KINDS.get(meta.label_lower) if meta else None


def _sale_links(document) -> dict[str, int]:
    """The document and those it was made from, by the redemption's link to each."""
    links = {}
    kind = _kind(document)
    if kind and document.pk:
        links[kind] = document.pk
    for name in ("quotation", "order"):
        pk = getattr(document, f"{name}_id", None)
        if pk and name != kind:
            links[name] = pk
    return links


def _holds(redemption: CouponRedemption, links: dict[str, int]) -> bool:
    return any(getattr(redemption, f"{name}_id") == pk for name, pk in links.items())


class CouponBook:
    """The coupons some documents name, read at once with their uses and the uses their sales
    already hold (of every document's sale with ``every_sale``, else of those with a code);
    ``lock`` locks the coupon rows first (the uses are counted after)."""

    def __init__(self, documents, *, lock: bool = False, every_sale: bool = False):
        documents = list(documents)
        codes = {normalize_code(d.coupon_code) for d in documents if d.coupon_code}
        self.coupons: dict[str, Coupon] = {}
        self.uses: Counter = Counter()
        self.customer_uses: Counter = Counter()
        self.held: list[CouponRedemption] = []
        if codes:
            rows = Coupon.objects.filter(code__in=codes)
            if lock:
                rows = rows.select_for_update().order_by("pk")
            self.coupons = {coupon.code: coupon for coupon in rows}
            counted = (
                CouponRedemption.objects.filter(HELD, coupon__in=self.coupons.values())
                .order_by()
                .values_list("coupon_id", "customer_id")
                .annotate(n=Count("pk"))
            )
            for coupon_id, customer_id, n in counted:
                self.uses[coupon_id] += n
                self.customer_uses[coupon_id, customer_id] += n
        sales = [
            Q(**{f"{name}_id": pk})
            for document in documents
            if every_sale or document.coupon_code
            for name, pk in _sale_links(document).items()
        ]
        if sales:
            held = CouponRedemption.objects.filter(reduce(operator.or_, sales))
            self.held = list(held.select_related("coupon"))

    def held_by(self, document) -> CouponRedemption | None:
        """The use the document's sale holds already (its own, or its quotation's or order's)."""
        links = _sale_links(document)
        return next((r for r in self.held if _holds(r, links)), None)

    def check(self, document, amount: Decimal) -> Coupon:
        """The coupon the document names, if it may use it for lines of ``amount`` excluding
        VAT; BusinessError on ``coupon_code`` otherwise. A sale that holds its use already
        keeps it (a quotation saved again, the order made from it), checked only for its
        amount."""
        code = normalize_code(document.coupon_code)
        coupon = self.coupons.get(code)
        if coupon is None:
            raise BusinessError(
                PricingError.COUPON_UNKNOWN,
                _("No coupon has the code « %(code)s »: check the code.") % {"code": code},
                FIELD,
            )
        held = self.held_by(document)
        if held is None or held.coupon_id != coupon.pk:
            self._check_open(coupon, document)
        if coupon.minimum_amount is not None and amount < coupon.minimum_amount:
            raise BusinessError(
                PricingError.COUPON_BELOW_MINIMUM,
                _(
                    "The coupon « %(code)s » is for a purchase of %(minimum)s excl. VAT or "
                    "more: the lines come to %(amount)s."
                )
                % {
                    "code": code,
                    "minimum": format_amount(coupon.minimum_amount, document.currency),
                    "amount": format_amount(amount, document.currency),
                },
                FIELD,
            )
        return coupon

    def _check_open(self, coupon: Coupon, document) -> None:
        """Whether a new use of the coupon is allowed to this document."""
        code = coupon.code
        if not coupon.active:
            raise BusinessError(
                PricingError.COUPON_INACTIVE,
                _("The coupon « %(code)s » is switched off.") % {"code": code},
                FIELD,
            )
        if coupon.customer_id and coupon.customer_id != document.customer_id:
            raise BusinessError(
                PricingError.COUPON_OTHER_CUSTOMER,
                _("The coupon « %(code)s » is for another customer.") % {"code": code},
                FIELD,
            )
        day = document.date
        if coupon.valid_from and day < coupon.valid_from:
            raise BusinessError(
                PricingError.COUPON_NOT_YET_VALID,
                _("The coupon « %(code)s » is valid from %(day)s only.")
                % {"code": code, "day": _date(coupon.valid_from)},
                FIELD,
            )
        if coupon.valid_to and day > coupon.valid_to:
            raise BusinessError(
                PricingError.COUPON_EXPIRED,
                _("The coupon « %(code)s » expired on %(day)s.")
                % {"code": code, "day": _date(coupon.valid_to)},
                FIELD,
            )
        if coupon.max_uses is not None and self.uses[coupon.pk] >= coupon.max_uses:
            raise BusinessError(
                PricingError.COUPON_USED_UP,
                _("The coupon « %(code)s » is used up: none of its uses is left.") % {"code": code},
                FIELD,
            )
        per_customer = coupon.max_uses_per_customer
        if (
            per_customer is not None
            and self.customer_uses[coupon.pk, document.customer_id] >= per_customer
        ):
            raise BusinessError(
                PricingError.COUPON_USED_UP_BY_CUSTOMER,
                _(
                    "The customer has already used the coupon « %(code)s » as many times as "
                    "it allows (%(count)s)."
                )
                % {"code": code, "count": per_customer},
                FIELD,
            )


@dataclass
class CouponAsked:
    """A coupon a document to be made asks for (an import's row): its code, its customer (None:
    one the import creates) and its date."""

    coupon_code: str
    customer_id: int | None
    date: object
    pk = None


def refusals(asked: list[CouponAsked]) -> list[BusinessError | None]:
    """For each coupon asked, why it cannot be used (None: it can, as far as can be told before
    the document is priced: its minimum amount, and uses taken meanwhile, are checked then)."""
    book = CouponBook(asked)
    found = []
    for wanted in asked:
        coupon = book.coupons.get(normalize_code(wanted.coupon_code))
        try:
            if coupon is None:
                book.check(wanted, ZERO)  # says it is unknown
            book._check_open(coupon, wanted)
        except BusinessError as error:
            found.append(error)
            continue
        found.append(None)
        book.uses[coupon.pk] += 1  # the documents of one file take their uses in turn
        book.customer_uses[coupon.pk, wanted.customer_id] += 1
    return found


def _date(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@dataclass(frozen=True)
class _Group:
    category: str
    rate: Decimal
    amount: Decimal


def _vat_groups(lines) -> list[_Group]:
    """The lines' net amounts by VAT group, in the order of the VAT breakdown."""
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        given = line.totals_input()
        key = (given.vat_category, Decimal(given.vat_rate))
        groups[key] = groups.get(key, ZERO) + line_amounts(given).net_amount
    ordered = sorted(groups.items(), key=lambda kv: (-kv[0][1], kv[0][0]))
    return [_Group(category, rate, amount) for (category, rate), amount in ordered if amount > 0]


def coupon_entries(coupon: Coupon, lines) -> list[dict]:
    """The allowances the coupon gives on these lines, as ``allowances_charges`` stores them."""
    marks = {"is_charge": False, "source": SOURCE, "coupon": coupon.code}
    if coupon.reward == CouponReward.PERCENT:
        reason = _("Coupon %(code)s (%(percent)s)") % {
            "code": coupon.code,
            "percent": format_percent(coupon.value),
        }
        return [{"percent": str(coupon.value), "reason": reason, **marks}]
    groups = _vat_groups(lines)
    total = sum((g.amount for g in groups), ZERO)
    discount = min(round_amount(coupon.value), total)  # never more than the lines
    reason = _("Coupon %(code)s") % {"code": coupon.code}
    entries, left = [], discount
    for index, group in enumerate(groups):
        last = index == len(groups) - 1
        share = left if last else round_amount(discount * group.amount / total)
        left -= share
        if share:
            entries.append(
                {
                    "amount": str(share),
                    "vat_category": group.category,
                    "vat_rate": str(group.rate),
                    "reason": reason,
                    **marks,
                }
            )
    return entries


def apply_coupon(document, lines, book: CouponBook, errors: list | None = None) -> Coupon | None:
    """Replace the document's coupon discount by its coupon's on these lines (none without a
    code). A coupon it may not use raises, or, given ``errors``, is kept there and its code
    taken off the document (an import's anomaly, a preview's message): no discount is left
    that the document does not have."""
    document.coupon_code = normalize_code(document.coupon_code)
    kept = [entry for entry in document.allowances_charges if entry.get("source") != SOURCE]
    if document.coupon_code and getattr(document, "order_id", None):
        held = book.held_by(document)
        if held is not None and held.coupon.code == document.coupon_code:
            # An invoice of an order keeps what its order's discount gave it (an amount on
            # the order's first invoice only), priced again or not.
            return held.coupon
    document.allowances_charges = kept
    if not document.coupon_code:
        return None
    try:
        coupon = book.check(document, lines_net_amount(lines))
    except BusinessError as error:
        if errors is None:
            raise
        errors.append(error)
        document.coupon_code = ""
        return None
    document.allowances_charges = [*document.allowances_charges, *coupon_entries(coupon, lines)]
    return coupon


def coupon_entry_total(document) -> Decimal:
    """The discount the document's coupon gives, as stored (its VAT groups together)."""
    return sum(
        (
            Decimal(str(entry.get("amount") or 0))
            for entry in document.allowances_charges
            if entry.get("source") == SOURCE
        ),
        ZERO,
    )


# Uses ---------------------------------------------------------------------------------------------


def redeem(documents, *, by=None) -> None:
    """Record the use of each saved document's coupon, inside the caller's transaction, the
    coupons locked and their uses counted again: the last use goes to one document only. A
    document whose sale holds the use already keeps it; one whose code was removed or
    changed gives its use back."""
    documents = [d for d in documents if _kind(d)]
    if not documents:
        return
    book = CouponBook(documents, lock=True, every_sale=True)
    attached: dict[str, list[CouponRedemption]] = {}
    created: list[CouponRedemption] = []
    for document in documents:
        held = book.held_by(document)
        code = normalize_code(document.coupon_code)
        if held is not None and held.coupon.code != code:
            if _release(held, document):
                book.uses[held.coupon_id] -= 1
                book.customer_uses[held.coupon_id, held.customer_id] -= 1
                book.held.remove(held)
            held = None
        if not code:
            continue
        coupon = book.check(document, document.total_lines)
        kind = _kind(document)
        if held is not None:
            if getattr(held, f"{kind}_id") is None:
                setattr(held, kind, document)
                attached.setdefault(kind, []).append(held)
            continue
        use = CouponRedemption(
            coupon=coupon, customer_id=document.customer_id, created_by=by, **{kind: document}
        )
        created.append(use)
        book.held.append(use)
        book.uses[coupon.pk] += 1
        book.customer_uses[coupon.pk, document.customer_id] += 1
    # A batch's uses written at once (an import's orders, the invoices of many orders).
    CouponRedemption.objects.bulk_create(created, batch_size=500)
    for kind, uses in attached.items():
        CouponRedemption.objects.bulk_update(uses, [kind], batch_size=500)


def _release(redemption: CouponRedemption, document) -> bool:
    """Take the document off its sale's use; the use goes when no document holds it. Whether
    it went."""
    kind = _kind(document)
    if getattr(redemption, f"{kind}_id") != document.pk:
        return False  # the quotation or order it was made from still holds it
    setattr(redemption, f"{kind}_id", None)
    if not any(getattr(redemption, f"{name}_id") for name in LINKS):
        redemption.delete()
        return True
    redemption.save(update_fields=[kind])
    return False


def release(document) -> None:
    """A draft about to be deleted gives its coupon's use back."""
    kind = _kind(document)
    for redemption in CouponRedemption.objects.filter(**{f"{kind}_id": document.pk}):
        _release(redemption, document)


# Codes --------------------------------------------------------------------------------------------


def random_code(prefix: str, length: int = 8) -> str:
    """A prefix and a random suffix of characters that cannot be read one for another."""
    suffix = "".join(secrets.choice(ALPHABET) for _i in range(length))
    return normalize_code(f"{prefix}{suffix}")


def uses_left(coupon: Coupon, used: int) -> int | None:
    """How many uses the coupon has left (None: no limit)."""
    return None if coupon.max_uses is None else max(coupon.max_uses - used, 0)


def coupons_csv(coupons) -> str:
    """The codes of a batch as a « ; » CSV a spreadsheet opens (to print or mail them)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["code", "campagne", "valeur", "type", "debut", "fin"])
    for coupon in coupons:
        writer.writerow(
            [
                coupon.code,
                coupon.campaign,
                coupon.value,
                coupon.reward,
                coupon.valid_from or "",
                coupon.valid_to or "",
            ]
        )
    return out.getvalue()
