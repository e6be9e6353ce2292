"""Changes to taxes, payment terms, terms-and-conditions templates, pricing rules, shipping
rules and promotions."""

import re
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.catalog.models import Item, ItemGroup, ItemPrice
from comptoir.core.errors import BusinessError, InUse, InvalidInput
from comptoir.core.models import Company
from comptoir.core.money import HUNDRED, format_amount, format_quantity
from comptoir.core.validation import create_validated, delete_or_refuse, full_clean_or_raise
from comptoir.pricing.coupons import random_code
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import (
    FRANCHISE,
    PRICE_SETTING_ACTIONS,
    SELL_BELOW_MARGIN,
    Coupon,
    CouponReward,
    PaymentTerms,
    PricingRule,
    Promotion,
    PromotionComponent,
    PromotionKind,
    RuleAction,
    ShippingMethod,
    ShippingRule,
    ShippingZone,
    Tax,
    TermsTemplate,
    normalize_code,
)
from comptoir.pricing.rules import lineage

TAX_FIELDS = {
    "code",
    "name",
    "rate",
    "category",
    "exemption_reason",
    "exemption_reason_code",
    "account",
    "active",
}
# Whether a tax is stated on an issued document: each app issuing documents registers its
# check (billing: its issued invoices), as this app sits below them.
TAX_USES: list[Callable[[Tax], bool]] = []


def tax_is_issued(tax: Tax) -> bool:
    return any(check(tax) for check in TAX_USES)


def refuse_franchise(tax: Tax, field: str) -> None:
    """The small-business franchise (art. 293 B du CGI) is for a seller without a VAT number:
    on the invoice of a VAT-registered seller its mention would be false."""
    if tax.is_franchise and Company.get().vat_id:
        raise BusinessError(
            PricingError.FRANCHISE_WITH_VAT_ID,
            _(
                "The VAT franchise (art. 293 B du CGI) is only for a company without a VAT "
                "number, and yours has one (Settings, Company): choose another tax."
            ),
            field,
        )


def refuse_unusable_tax(tax: Tax, field: str) -> None:
    """A tax given to a new line or an item: an active one, and the franchise only to a
    company without a VAT number."""
    if not tax.active:
        raise BusinessError(
            PricingError.TAX_ARCHIVED,
            _("The tax « %(name)s » is archived: choose another.") % {"name": tax.name},
            field,
        )
    refuse_franchise(tax, field)


def refuse_franchise_on(invoice) -> None:
    """Issuing: a draft priced with the franchise before the company had a VAT number is
    refused too (a credit note reverses what its invoice stated, and may state it)."""
    stated = {group.get("exemption_reason_code") for group in invoice.vat_breakdown}
    if FRANCHISE in stated and invoice.kind != "credit_note":
        refuse_franchise(Tax(exemption_reason_code=FRANCHISE), "lines")


def save_tax(tax: Tax | None = None, **fields) -> Tax:
    """Create or change a tax. Its rate and category, once stated on an issued invoice, stay
    as they are: issued invoices keep what they said; archive the tax and create another."""
    with transaction.atomic():
        tax = Tax() if tax is None else Tax.objects.select_for_update().get(pk=tax.pk)
        before = (tax.rate, tax.category)
        for name, value in fields.items():
            if name in TAX_FIELDS:
                setattr(tax, name, value)
        full_clean_or_raise(tax)
        if tax.pk and (tax.rate, tax.category) != before and tax_is_issued(tax):
            raise InUse(
                PricingError.TAX_IN_USE,
                _(
                    "« %(name)s » is stated on issued invoices: its rate and category cannot "
                    "change. Archive it and create a new tax."
                )
                % {"name": tax.name},
                "rate" if tax.rate != before[0] else "category",
            )
        if tax.active:
            refuse_franchise(tax, "exemption_reason_code")
        tax.save()
        return tax


def delete_tax(tax: Tax) -> None:
    with transaction.atomic():
        delete_or_refuse(
            tax,
            PricingError.TAX_IN_USE,
            _("« %(name)s » is used by documents, items or customers: archive it instead.")
            % {"name": tax.name},
        )


def create_payment_terms(**fields) -> PaymentTerms:
    with transaction.atomic():
        return create_validated(PaymentTerms, **fields)


def create_terms_template(**fields) -> TermsTemplate:
    """A template; marking it as the default for a kind of document unmarks the previous one."""
    with transaction.atomic():
        for flag in ("default_for_quotations", "default_for_invoices"):
            if fields.get(flag):
                TermsTemplate.objects.filter(**{flag: True}).update(**{flag: False})
        return create_validated(TermsTemplate, **fields)


# Pricing rules ---------------------------------------------------------------------------------

RULE_FIELDS = {
    "code", "name", "active", "priority", "stop_others", "customer", "customer_group",
    "territory", "item", "item_group", "attribute_value", "min_quantity", "min_amount",
    "valid_from", "valid_to", "currency", "channel", "partner", "action", "value", "price_list",
}  # fmt: skip
# The conditions two rules must share to compete for the same lines.
CONDITIONS = (
    "customer", "customer_group", "territory", "item", "item_group", "attribute_value",
    "min_quantity", "min_amount", "currency", "channel", "partner",
)  # fmt: skip


def save_rule(rule: PricingRule | None = None, *, by=None, **fields) -> PricingRule:
    """Create or change a pricing rule. Refused: a rule with the same conditions, priority and
    kind of action as another in force on the same days (which applies would be a matter of
    chance), and a rule that sells an item under the minimum margin, unless ``by`` may."""
    with transaction.atomic():
        if rule is None:
            rule = PricingRule()
        else:
            rule = PricingRule.objects.select_for_update().get(pk=rule.pk)
        for name, value in fields.items():
            if name in RULE_FIELDS:
                setattr(rule, name, value)
        full_clean_or_raise(rule)
        if rule.active:
            _refuse_overlap(rule)
            _refuse_below_margin(rule, by)
        rule.save()
        return rule


def set_rule_active(rule: PricingRule, active: bool, *, by=None) -> PricingRule:
    """Switch a rule on (checked as when it is saved) or off."""
    return save_rule(rule, by=by, active=active)


def delete_rule(rule: PricingRule) -> None:
    """Lines keep the explanation of the prices they got; the rule itself may go."""
    with transaction.atomic():
        rule.delete()


def _refuse_overlap(rule: PricingRule) -> None:
    fields = [PricingRule._meta.get_field(name) for name in CONDITIONS]
    same = {field.attname: getattr(rule, field.attname) for field in fields}
    others = PricingRule.objects.filter(active=True, priority=rule.priority, **same).exclude(
        pk=rule.pk
    )
    if rule.valid_to:
        others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=rule.valid_to))
    if rule.valid_from:
        others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=rule.valid_from))
    kinds = PRICE_SETTING_ACTIONS if rule.sets_price else {rule.action}
    other = others.filter(action__in=kinds).order_by("pk").first()
    if other is not None:
        raise BusinessError(
            PricingError.RULE_OVERLAPS,
            _(
                "The rule « %(other)s » has the same conditions and the same priority, on the "
                "same days: which one applies would be a matter of chance. Give one of them "
                "a higher priority."
            )
            % {"other": other.name},
            "priority",
        )


def _refuse_below_margin(rule: PricingRule, by) -> None:
    """The items the rule would sell under the minimum margin, from their sale price: refused
    unless ``by`` may sell under it."""
    margin = Company.get().minimum_margin_pct
    if margin is None or (by is not None and by.has_perm(SELL_BELOW_MARGIN)):
        return
    below = _items_below_margin(rule, 1 + margin / HUNDRED)
    if below is None:
        return
    count, example = below.count(), below.order_by("code").first()
    if example is None:
        return
    raise BusinessError(
        PricingError.RULE_BELOW_MINIMUM_MARGIN,
        ngettext(
            "This rule would sell %(count)s item under the minimum margin of %(margin)s %% "
            "(%(code)s). Selling under it needs the permission to.",
            "This rule would sell %(count)s items under the minimum margin of %(margin)s %% "
            "(%(code)s, …). Selling under it needs the permission to.",
            count,
        )
        % {"count": count, "margin": format_quantity(margin), "code": example.code},
        "value",
    )


def _items_below_margin(rule: PricingRule, factor: Decimal):
    """The items the rule concerns whose price after it is under cost × ``factor``."""
    items = Item.objects.filter(active=True, cost_price__gt=0)
    if rule.item_id:
        items = items.filter(Q(pk=rule.item_id) | Q(template_id=rule.item_id))
    if rule.attribute_value_id:
        items = items.filter(variant_values__value_id=rule.attribute_value_id)
    if rule.item_group_id:
        groups = dict(ItemGroup.objects.values_list("id", "parent_id"))
        within = {g for g in groups if rule.item_group_id in lineage(g, groups)}
        items = items.filter(group_id__in=within)
    floor = F("cost_price") * factor
    value = rule.value
    if rule.action == RuleAction.FIXED_PRICE:
        return items.filter(cost_price__gt=value / factor)
    if rule.action == RuleAction.COST_PLUS:
        return items if value < (factor - 1) * HUNDRED else None
    if rule.action == RuleAction.DISCOUNT_PCT:
        if value >= HUNDRED:
            return items
        return items.filter(sale_price__lt=floor * HUNDRED / (HUNDRED - value))
    if rule.action == RuleAction.DISCOUNT_AMOUNT:
        return items.filter(sale_price__lt=floor + value)
    listed = ItemPrice.objects.filter(
        price_list_id=rule.price_list_id, price__lt=F("item__cost_price") * factor
    )
    return items.filter(pk__in=listed.values("item_id"))


# Shipping methods, zones and rules ---------------------------------------------------------------

SHIPPING_FIELDS = {
    ShippingMethod: {"code", "name", "carrier", "tax", "item", "active"},
    ShippingZone: {"code", "name", "country", "postal_prefixes"},
    ShippingRule: {
        "method",
        "country",
        "zone",
        "weight_over",
        "weight_up_to",
        "amount_from",
        "amount_below",
        "charge",
        "charge_per_kg",
        "priority",
        "active",
    },
}


def save_shipping(model, row=None, **fields):
    """Create or change a shipping method, zone or rule (the documents already priced keep
    their charge; a draft gets the new one when it is priced again)."""
    with transaction.atomic():
        row = model() if row is None else model.objects.select_for_update().get(pk=row.pk)
        for name, value in fields.items():
            if name in SHIPPING_FIELDS[model]:
                setattr(row, name, value)
        full_clean_or_raise(row)
        if model is ShippingMethod and "tax" in fields and row.tax_id:
            refuse_unusable_tax(row.tax, "tax")
        if model is ShippingRule and row.active:
            _refuse_same_shipping_rule(row)
        row.save()
        return row


SHIPPING_CONDITIONS = (
    "method", "country", "zone", "weight_over", "weight_up_to", "amount_from", "amount_below",
    "priority",
)  # fmt: skip


def _refuse_same_shipping_rule(rule: ShippingRule) -> None:
    """Two rules in force with the same conditions and priority: which charge a document gets
    would depend on which was saved first."""
    fields = [ShippingRule._meta.get_field(name) for name in SHIPPING_CONDITIONS]
    same = {field.attname: getattr(rule, field.attname) for field in fields}
    other = (
        ShippingRule.objects.filter(active=True, **same)
        .exclude(pk=rule.pk)
        .select_related("method", "zone")
        .order_by("pk")
        .first()
    )
    if other is not None:
        raise BusinessError(
            PricingError.SHIPPING_RULE_OVERLAPS,
            _(
                "The rule “%(other)s” charging %(charge)s has the same conditions and the "
                "same priority: which one applies would be a matter of chance. Give one of "
                "them a higher priority, or change that rule instead."
            )
            % {"other": other, "charge": format_amount(other.charge)},
            "priority",
        )


def delete_shipping(row) -> None:
    with transaction.atomic():
        delete_or_refuse(
            row,
            PricingError.SHIPPING_IN_USE,
            _("« %(name)s » is used by documents or rules: switch it off instead.") % {"name": row},
        )


# Promotions --------------------------------------------------------------------------------------

PROMOTION_FIELDS = {
    "code", "name", "active", "priority", "valid_from", "valid_to", "customer_group",
    "territory", "channel", "kind", "item", "item_group", "quantity", "reward_item",
    "reward_quantity", "reward_discount_pct", "min_amount", "min_quantity", "discount_pct",
    "discount_amount", "set_price",
}  # fmt: skip


def save_promotion(promotion: Promotion | None = None, *, components=None, **fields) -> Promotion:
    """Create or change a promotion; ``components`` (a bundle's: (item, quantity) pairs), when
    given, replace its components. The documents already made keep what they got; a draft gets
    the promotions in force when it is priced again."""
    with transaction.atomic():
        if promotion is None:
            promotion = Promotion()
        else:
            promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
        for name, value in fields.items():
            if name in PROMOTION_FIELDS:
                setattr(promotion, name, value)
        full_clean_or_raise(promotion)
        known = [] if promotion.pk is None else list(promotion.components.all())
        wanted = components if components is not None else [(c.item, c.quantity) for c in known]
        if promotion.kind == PromotionKind.BUNDLE and not wanted:
            raise BusinessError(
                PricingError.PROMOTION_INVALID,
                _("A bundle needs its components: the items of a set and their quantities."),
                "components",
            )
        for index, (item, quantity) in enumerate(wanted):
            if quantity is None or Decimal(quantity) <= 0:
                raise BusinessError(
                    PricingError.PROMOTION_INVALID,
                    _("The quantity of %(item)s in a set is above 0.") % {"item": item},
                    f"components[{index}].quantity",
                )
        promotion.save()
        if components is not None:
            promotion.components.all().delete()
            PromotionComponent.objects.bulk_create(
                PromotionComponent(promotion=promotion, item=item, quantity=Decimal(quantity))
                for item, quantity in components
            )
        return promotion


def set_promotion_active(promotion: Promotion, active: bool) -> Promotion:
    """Switch a promotion on (checked as when it is saved) or off."""
    return save_promotion(promotion, active=active)


def delete_promotion(promotion: Promotion) -> None:
    """The documents keep the lines and discounts it gave (by its code); it may go."""
    with transaction.atomic():
        promotion.delete()


# Coupons ------------------------------------------------------------------------------------------

COUPON_FIELDS = {
    "code",
    "name",
    "description",
    "campaign",
    "active",
    "valid_from",
    "valid_to",
    "max_uses",
    "max_uses_per_customer",
    "customer",
    "reward",
    "value",
    "minimum_amount",
}
# The settings the codes generated together share.
COUPON_SETTINGS = COUPON_FIELDS - {"code"}
MAX_GENERATED = 10_000


def save_coupon(coupon: Coupon | None = None, **fields) -> Coupon:
    """Create or change a coupon; the documents that used it keep the discount they got, a
    draft gets the new one when it is priced again."""
    with transaction.atomic():
        if coupon is None:
            coupon = Coupon()
        else:
            coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
        for name, value in fields.items():
            if name in COUPON_FIELDS:
                setattr(coupon, name, value)
        coupon.code = normalize_code(coupon.code)
        _check_coupon(coupon)
        if Coupon.objects.filter(code=coupon.code).exclude(pk=coupon.pk).exists():
            raise BusinessError(
                PricingError.COUPON_CODE_TAKEN,
                _("Another coupon has the code « %(code)s ».") % {"code": coupon.code},
                "code",
            )
        full_clean_or_raise(coupon, validate_unique=False)
        coupon.save()
        return coupon


def _check_coupon(coupon: Coupon) -> None:
    if not coupon.code:
        raise InvalidInput(PricingError.COUPON_INVALID, _("Give the coupon a code."), "code")
    if not re.fullmatch(r"[A-Z0-9_-]+", coupon.code):
        raise InvalidInput(
            PricingError.COUPON_INVALID,
            _("A coupon code has letters, digits, « - » and « _ » only."),
            "code",
        )
    value = coupon.value
    if value is None or value <= 0:
        raise InvalidInput(
            PricingError.COUPON_INVALID, _("Give the discount: more than 0."), "value"
        )
    if coupon.reward == CouponReward.PERCENT and value > HUNDRED:
        raise InvalidInput(
            PricingError.COUPON_INVALID, _("A percentage is between 0 and 100."), "value"
        )
    if coupon.valid_from and coupon.valid_to and coupon.valid_to < coupon.valid_from:
        raise InvalidInput(
            PricingError.COUPON_INVALID,
            _("A coupon cannot end before it starts."),
            "valid_to",
        )
    if coupon.minimum_amount is not None and coupon.minimum_amount < 0:
        raise InvalidInput(
            PricingError.COUPON_INVALID,
            _("A minimum amount cannot be negative."),
            "minimum_amount",
        )


def switch_coupon(coupon: Coupon, active: bool) -> Coupon:
    return save_coupon(coupon, active=active)


def generate_coupons(prefix: str, count: int, **settings) -> list[Coupon]:
    """``count`` codes made of the prefix and a random suffix, sharing these settings (their
    campaign the name given, else the prefix), created together or not at all."""
    prefix = normalize_code(prefix)
    if not 1 <= count <= MAX_GENERATED:
        raise InvalidInput(
            PricingError.COUPON_INVALID,
            _("Generate between 1 and %(max)s codes at a time.") % {"max": MAX_GENERATED},
            "count",
        )
    settings = {k: v for k, v in settings.items() if k in COUPON_SETTINGS}
    settings["campaign"] = settings.get("campaign") or prefix
    with transaction.atomic():
        model = Coupon(code=f"{prefix}X", **settings)
        _check_coupon(model)
        full_clean_or_raise(model, validate_unique=False)
        codes: set[str] = set()
        while len(codes) < count:
            wanted = count - len(codes)
            fresh = {random_code(prefix) for _i in range(wanted)} - codes
            taken = set(Coupon.objects.filter(code__in=fresh).values_list("code", flat=True))
            codes |= fresh - taken
        coupons = [Coupon(code=code, **settings) for code in sorted(codes)]
        return Coupon.objects.bulk_create(coupons, batch_size=1000)


def delete_coupon(coupon: Coupon) -> None:
    with transaction.atomic():
        delete_or_refuse(
            coupon,
            PricingError.COUPON_IN_USE,
            _("The coupon « %(code)s » was used: switch it off instead.") % {"code": coupon},
        )
