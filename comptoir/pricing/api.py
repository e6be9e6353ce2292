from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from comptoir.catalog.models import Item
from comptoir.core.schemas import ERRORS, Day, ErrorOut, Id, Quantity
from comptoir.pricing import engine, services
from comptoir.pricing.coupons import visible_coupons, visible_uses, with_uses
from comptoir.pricing.documents import find_by_id_or_code, find_customer
from comptoir.pricing.explanation import NOT_APPLIED
from comptoir.pricing.models import (
    Coupon,
    PaymentTerms,
    ShippingMethod,
    ShippingRule,
    ShippingZone,
    Tax,
    TermsTemplate,
)
from comptoir.pricing.schemas import (
    CouponBatchIn,
    CouponIn,
    CouponOut,
    CouponPatch,
    CouponRedemptionOut,
    PaymentTermsIn,
    PaymentTermsOut,
    ShippingMethodIn,
    ShippingMethodOut,
    ShippingMethodPatch,
    ShippingRuleIn,
    ShippingRuleOut,
    ShippingRulePatch,
    ShippingZoneIn,
    ShippingZoneOut,
    ShippingZonePatch,
    TaxIn,
    TaxOut,
    TaxPatch,
    TermsTemplateIn,
    TermsTemplateOut,
    WhyPriceOut,
)

router = Router(tags=["taxes and terms"])


@router.get("/taxes", response=list[TaxOut])
def list_taxes(request, archived: bool = False):
    """The taxes in use; with ``archived=true``, the archived ones too."""
    return Tax.objects.all() if archived else Tax.objects.filter(active=True)


@router.get("/taxes/{pk}", response={200: TaxOut, 404: ErrorOut})
def get_tax(request, pk: Id):
    return get_object_or_404(Tax, pk=pk)


@router.post("/taxes", response={201: TaxOut, **ERRORS})
def create_tax(request, payload: TaxIn):
    return Status(201, services.save_tax(**payload.dict()))


@router.patch("/taxes/{pk}", response={200: TaxOut, **ERRORS})
def update_tax(request, pk: Id, payload: TaxPatch):
    """Change a tax; its rate and category stay once an issued invoice states them (archive it
    with ``{"active": false}`` and create another)."""
    return services.save_tax(get_object_or_404(Tax, pk=pk), **payload.dict(exclude_unset=True))


@router.delete("/taxes/{pk}", response={204: None, **ERRORS})
def delete_tax(request, pk: Id):
    services.delete_tax(get_object_or_404(Tax, pk=pk))
    return Status(204, None)


@router.get("/payment-terms", response=list[PaymentTermsOut])
def list_payment_terms(request):
    return PaymentTerms.objects.filter(active=True)


@router.post("/payment-terms", response={201: PaymentTermsOut, 400: ErrorOut})
def create_payment_terms(request, payload: PaymentTermsIn):
    return Status(201, services.create_payment_terms(**payload.dict()))


@router.get("/terms-templates", response=list[TermsTemplateOut])
def list_terms_templates(request):
    return TermsTemplate.objects.order_by("name")


@router.post("/terms-templates", response={201: TermsTemplateOut, 400: ErrorOut})
def create_terms_template(request, payload: TermsTemplateIn):
    return Status(201, services.create_terms_template(**payload.dict()))


@router.get("/why-price", response={200: WhyPriceOut, **ERRORS}, tags=["pricing rules"])
def why_price(
    request, customer: str, item: str, quantity: Quantity = Decimal("1"), date: Day | None = None
):
    """The price a customer gets for an item, a quantity and a day (today by default): each
    step with the net unit price before and after it, and every rule the line meets."""
    priced = engine.why_price(
        find_customer(customer, user=request.user),
        find_by_id_or_code(Item.objects.select_related("tax", "unit"), item, _("Item"), "item"),
        quantity,
        date or timezone.localdate(),
        by=request.user,
    )
    return {
        "unit_price": priced.unit_price,
        "discount_pct": priced.discount_pct,
        "net_unit_price": priced.net,
        "steps": priced.steps,
        "rules": [
            {
                "code": o.rule.code,
                "name": o.rule.name,
                "priority": o.rule.priority,
                "applied": o.applied,
                "reason": NOT_APPLIED[o.reason](o.by) if o.reason else "",
            }
            for o in priced.outcomes
        ],
    }


# Shipping ------------------------------------------------------------------------------------

shipping = Router(tags=["shipping"])
REFERENCES = {  # input field → (model, what it is called in an error)
    "tax": (Tax, gettext_lazy("Tax")),
    "item": (Item, gettext_lazy("Item")),
    "method": (ShippingMethod, gettext_lazy("Shipping method")),
    "zone": (ShippingZone, gettext_lazy("Shipping zone")),
}


def _with_rows(data: dict) -> dict:
    """Codes of the input (tax, item, method, zone) as their rows; an empty one as none."""
    for name, (model, what) in REFERENCES.items():
        if name in data:
            key = data[name]
            data[name] = None if key in (None, "") else find_by_id_or_code(model, key, what, name)
    return data


def _crud(path: str, model, out, payload_in, payload_patch, name: str) -> None:
    """List (with the switched-off rows on demand), read, create, change and delete."""

    def listing(request, inactive: bool = False):
        rows = model.objects.all()
        if "active" in {f.name for f in model._meta.fields} and not inactive:
            rows = rows.filter(active=True)
        return rows.select_related(*RELATED.get(model, ()))

    def read(request, pk: Id):
        return get_object_or_404(model.objects.select_related(*RELATED.get(model, ())), pk=pk)

    def create(request, payload: payload_in):
        return Status(201, services.save_shipping(model, **_with_rows(payload.dict())))

    def update(request, pk: Id, payload: payload_patch):
        row = get_object_or_404(model, pk=pk)
        return services.save_shipping(model, row, **_with_rows(payload.dict(exclude_unset=True)))

    def delete(request, pk: Id):
        services.delete_shipping(get_object_or_404(model, pk=pk))
        return Status(204, None)

    for function, verb in (
        (listing, "list"),
        (read, "get"),
        (create, "create"),
        (update, "update"),
        (delete, "delete"),
    ):
        function.__name__ = f"{verb}_{name}" if verb != "list" else f"list_{name}s"
    listing.__doc__ = "The rows in use; with ``inactive=true``, the switched-off ones too."
    shipping.get(path, response=list[out], operation_id=f"list_{name}s")(listing)
    shipping.get(f"{path}/{{pk}}", response={200: out, 404: ErrorOut}, operation_id=f"get_{name}")(
        read
    )
    shipping.post(path, response={201: out, **ERRORS}, operation_id=f"create_{name}")(create)
    shipping.patch(f"{path}/{{pk}}", response={200: out, **ERRORS}, operation_id=f"update_{name}")(
        update
    )
    shipping.delete(
        f"{path}/{{pk}}", response={204: None, **ERRORS}, operation_id=f"delete_{name}"
    )(delete)


RELATED = {ShippingMethod: ("tax", "item"), ShippingRule: ("method", "zone")}
_crud(
    "/shipping-methods",
    ShippingMethod,
    ShippingMethodOut,
    ShippingMethodIn,
    ShippingMethodPatch,
    "shipping_method",
)
_crud(
    "/shipping-zones",
    ShippingZone,
    ShippingZoneOut,
    ShippingZoneIn,
    ShippingZonePatch,
    "shipping_zone",
)
_crud(
    "/shipping-rules",
    ShippingRule,
    ShippingRuleOut,
    ShippingRuleIn,
    ShippingRulePatch,
    "shipping_rule",
)
router.add_router("", shipping)


# Coupons ------------------------------------------------------------------------------------------

coupons = Router(tags=["coupons"])


def _coupon_rows(user):
    return with_uses(visible_coupons(user, Coupon.objects.select_related("customer")))


def _coupon_input(data: dict, user) -> dict:
    """The input with its customer's code as the customer, among those ``user`` sees."""
    if "customer" in data:
        key = data["customer"]
        data["customer"] = None if key in (None, "") else find_customer(key, user=user)
    return data


@coupons.get("/coupons", response=list[CouponOut])
def list_coupons(request, inactive: bool = False, campaign: str = ""):
    """The coupons in use with their uses; ``inactive=true`` adds the switched-off ones."""
    rows = _coupon_rows(request.user)
    if not inactive:
        rows = rows.filter(active=True)
    if campaign:
        rows = rows.filter(campaign=campaign)
    return rows


@coupons.post("/coupons/generate", response={201: list[CouponOut], **ERRORS})
def generate_coupons(request, payload: CouponBatchIn):
    """``count`` codes: the prefix and a random suffix without O/0/I/1, sharing the settings;
    their campaign is the one given, else the prefix."""
    data = _coupon_input(payload.dict(), request.user)
    return Status(201, services.generate_coupons(data.pop("prefix"), data.pop("count"), **data))


@coupons.get("/coupons/{pk}", response={200: CouponOut, 404: ErrorOut})
def get_coupon(request, pk: Id):
    return get_object_or_404(_coupon_rows(request.user), pk=pk)


@coupons.post("/coupons", response={201: CouponOut, **ERRORS})
def create_coupon(request, payload: CouponIn):
    return Status(201, services.save_coupon(**_coupon_input(payload.dict(), request.user)))


@coupons.patch("/coupons/{pk}", response={200: CouponOut, **ERRORS})
def update_coupon(request, pk: Id, payload: CouponPatch):
    coupon = get_object_or_404(visible_coupons(request.user), pk=pk)
    services.save_coupon(coupon, **_coupon_input(payload.dict(exclude_unset=True), request.user))
    return get_object_or_404(_coupon_rows(request.user), pk=pk)


@coupons.delete("/coupons/{pk}", response={204: None, **ERRORS})
def delete_coupon(request, pk: Id):
    """Delete a coupon never used (a used one is switched off: ``{"active": false}``)."""
    services.delete_coupon(get_object_or_404(visible_coupons(request.user), pk=pk))
    return Status(204, None)


@coupons.get("/coupons/{pk}/redemptions", response={200: list[CouponRedemptionOut], 404: ErrorOut})
def list_coupon_redemptions(request, pk: Id):
    """The coupon's uses, the latest first, with the documents that hold each."""
    coupon = get_object_or_404(visible_coupons(request.user), pk=pk)
    return visible_uses(coupon, request.user).select_related("coupon", "customer")


router.add_router("", coupons)
