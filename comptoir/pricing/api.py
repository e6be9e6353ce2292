from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from comptoir.catalog.models import Item, ItemGroup
from comptoir.core.errors import NotFound
from comptoir.core.schemas import ERRORS, Day, ErrorOut, Id, Quantity
from comptoir.parties.models import CustomerGroup, Territory
from comptoir.pricing import engine, rule_files, services
from comptoir.pricing.coupons import visible_coupons, visible_uses, with_uses
from comptoir.pricing.documents import find_by_id_or_code, find_customer
from comptoir.pricing.explanation import NOT_APPLIED
from comptoir.pricing.models import (
    Coupon,
    PaymentTerms,
    PricingRule,
    Promotion,
    RuleAction,
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
    PromotionIn,
    PromotionOut,
    PromotionPatch,
    RuleImportOut,
    RuleIn,
    RuleOut,
    RulePatch,
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


# Pricing rules -------------------------------------------------------------------------------


def _rule_fields(payload: dict) -> dict:
    """The payload with its linked rows (named by code or name) read: an unknown one is a 400
    ``rule.unknown_reference`` on its field."""
    return {
        name: rule_files.resolve_link(name, value) if name in rule_files.LINKS else value
        for name, value in payload.items()
    }


def _rule(pk: int) -> PricingRule:
    return get_object_or_404(rule_files.rules_for_file(), pk=pk)


@router.get("/pricing-rules", response=list[RuleOut], tags=["pricing rules"])
def list_rules(
    request,
    active: bool | None = None,
    q: str = Query("", max_length=100, description="In the code or the name"),
    customer: str = Query("", max_length=50, description="Rules naming this customer code"),
    item: str = Query("", max_length=50, description="Rules naming this item code"),
    action: RuleAction | None = None,
):
    """The rules, highest priority first."""
    rules = rule_files.rules_for_file()
    if active is not None:
        rules = rules.filter(active=active)
    if q:
        rules = rules.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if customer:
        rules = rules.filter(customer__code__iexact=customer)
    if item:
        rules = rules.filter(item__code__iexact=item)
    if action:
        rules = rules.filter(action=action)
    return rules


@router.get("/pricing-rules/export", tags=["pricing rules"])
def export_rules(request, format: Literal["csv", "xlsx"] = "csv"):
    """Every rule as the import reads it back (CSV with semicolons, UTF-8 with BOM; or XLSX)."""
    from comptoir.pricing.views import rules_file_response

    return rules_file_response(format)


RULES_FILE = File(..., description="CSV (semicolons) or XLSX, with the columns of the export")


@router.post(
    "/pricing-rules/import", response={200: RuleImportOut, **ERRORS}, tags=["pricing rules"]
)
def import_rules(request, file: UploadedFile = RULES_FILE):
    """Create or change a rule per row, by its code; each row is saved or refused on its own,
    and its result says why (by line and column)."""
    result = rule_files.import_rules(file.read(), file.name or "", by=request.user)
    counts = {name: result.count(name) for name in rule_files.OUTCOMES}
    return {**counts, "rows": [vars(row) for row in result.rows]}


@router.get("/pricing-rules/{pk}", response={200: RuleOut, 404: ErrorOut}, tags=["pricing rules"])
def get_rule(request, pk: Id):
    return _rule(pk)


@router.post("/pricing-rules", response={201: RuleOut, **ERRORS}, tags=["pricing rules"])
def create_rule(request, payload: RuleIn):
    """A rule; refused with ``rule.overlaps`` (same conditions and priority as another),
    ``rule.below_minimum_margin`` or ``rule.unknown_reference``."""
    rule = services.save_rule(by=request.user, **_rule_fields(payload.dict(exclude_none=True)))
    return Status(201, _rule(rule.pk))


@router.patch("/pricing-rules/{pk}", response={200: RuleOut, **ERRORS}, tags=["pricing rules"])
def update_rule(request, pk: Id, payload: RulePatch):
    rule = _rule(pk)
    services.save_rule(rule, by=request.user, **_rule_fields(payload.dict(exclude_unset=True)))
    return _rule(pk)


@router.post(
    "/pricing-rules/{pk}/activate", response={200: RuleOut, **ERRORS}, tags=["pricing rules"]
)
def activate_rule(request, pk: Id):
    """Switch the rule on (checked as when it is saved); on already, nothing changes."""
    services.set_rule_active(_rule(pk), True, by=request.user)
    return _rule(pk)


@router.post(
    "/pricing-rules/{pk}/deactivate", response={200: RuleOut, **ERRORS}, tags=["pricing rules"]
)
def deactivate_rule(request, pk: Id):
    services.set_rule_active(_rule(pk), False, by=request.user)
    return _rule(pk)


@router.delete("/pricing-rules/{pk}", response={204: None, **ERRORS}, tags=["pricing rules"])
def delete_rule(request, pk: Id):
    services.delete_rule(_rule(pk))
    return Status(204, None)


# Promotions ----------------------------------------------------------------------------------

promotions = Router(tags=["promotions"])
NAMED = {  # input field → (model, what it is called in an error): by id or name
    "customer_group": (CustomerGroup, gettext_lazy("Customer group")),
    "territory": (Territory, gettext_lazy("Territory")),
    "item_group": (ItemGroup, gettext_lazy("Item group")),
}


def _promotion_input(data: dict) -> dict:
    """Codes and names of the input as their rows; an empty one as none."""
    for name in ("item", "reward_item"):
        if name in data:
            key = data[name]
            data[name] = (
                None if key in (None, "") else find_by_id_or_code(Item, key, _("Item"), name)
            )
    for name, (model, what) in NAMED.items():
        if name in data:
            key = data[name]
            if key in (None, ""):
                data[name] = None
                continue
            key = str(key)
            row = model.objects.filter(name=key).first()
            if row is None and key.isdigit():
                row = model.objects.filter(pk=int(key)).first()
            if row is None:
                raise NotFound(what, key, name)
            data[name] = row
    if data.get("components") is not None:
        data["components"] = [
            (
                find_by_id_or_code(Item, c["item"], _("Item"), f"components[{index}].item"),
                c["quantity"],
            )
            for index, c in enumerate(data["components"])
        ]
    return data


PROMOTION_RELATED = ("customer_group", "territory", "item", "item_group", "reward_item")


def _promotions():
    return Promotion.objects.select_related(*PROMOTION_RELATED).prefetch_related("components__item")


@promotions.get("/promotions", response=list[PromotionOut])
def list_promotions(request, inactive: bool = False):
    """The promotions in use; with ``inactive=true``, the switched-off ones too."""
    rows = _promotions()
    return rows if inactive else rows.filter(active=True)


@promotions.get("/promotions/{pk}", response={200: PromotionOut, 404: ErrorOut})
def get_promotion(request, pk: Id):
    return get_object_or_404(_promotions(), pk=pk)


@promotions.post("/promotions", response={201: PromotionOut, **ERRORS})
def create_promotion(request, payload: PromotionIn):
    """A promotion: ``buy_x_get_y`` (item or item_group, quantity, reward_item,
    reward_quantity, reward_discount_pct), ``threshold`` (min_amount or min_quantity,
    discount_pct or discount_amount) or ``bundle`` (components, set_price)."""
    promotion = services.save_promotion(**_promotion_input(payload.dict()))
    return Status(201, get_object_or_404(_promotions(), pk=promotion.pk))


@promotions.patch("/promotions/{pk}", response={200: PromotionOut, **ERRORS})
def update_promotion(request, pk: Id, payload: PromotionPatch):
    """Change a promotion; ``{"active": false}`` switches it off."""
    row = get_object_or_404(Promotion, pk=pk)
    services.save_promotion(row, **_promotion_input(payload.dict(exclude_unset=True)))
    return get_object_or_404(_promotions(), pk=pk)


@promotions.delete("/promotions/{pk}", response={204: None, **ERRORS})
def delete_promotion(request, pk: Id):
    services.delete_promotion(get_object_or_404(Promotion, pk=pk))
    return Status(204, None)


router.add_router("", promotions)


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
