import calendar
import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import AmountField, PriceField, QuantityField, RateField


class VatCategory(models.TextChoices):
    """EN 16931 VAT category codes (UNTDID 5305)."""

    STANDARD = "S", _("Standard rate")
    ZERO = "Z", _("Zero rated")
    EXEMPT = "E", _("Exempt")
    REVERSE_CHARGE = "AE", _("Reverse charge")
    INTRA_EU = "K", _("Intra-community supply")
    EXPORT = "G", _("Export outside the EU")
    OUTSIDE_SCOPE = "O", _("Outside the scope of VAT")
    CANARY_ISLANDS = "L", _("Canary Islands indirect tax (IGIC)")
    CEUTA_MELILLA = "M", _("Ceuta and Melilla tax (IPSI)")


# The categories where no VAT is charged for a stated reason: the invoice gives it, as a text
# (BT-120) or a VATEX code (BT-121), and the rate is 0 (EN 16931 BR-E-10, BR-AE-10, BR-IC-10,
# BR-G-10, BR-O-10 and the rules on their rates).
EXEMPT_CATEGORIES = {
    VatCategory.EXEMPT,
    VatCategory.REVERSE_CHARGE,
    VatCategory.INTRA_EU,
    VatCategory.EXPORT,
    VatCategory.OUTSIDE_SCOPE,
}
# The small-business franchise (art. 293 B du CGI): only for a seller without a VAT number.
FRANCHISE = "VATEX-FR-FRANCHISE"


class Tax(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rate = RateField(_("rate %"))
    category = models.CharField(
        _("category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    exemption_reason = models.CharField(
        _("exemption text"),
        max_length=200,
        blank=True,
        help_text=_("Printed on the invoice, e.g. « Exonération de TVA, art. 261-4-4° a du CGI »."),
    )
    exemption_reason_code = models.CharField(
        _("exemption code (VATEX)"),
        max_length=30,
        blank=True,
        help_text=_("The code of the exemption in the e-invoice, e.g. VATEX-FR-CGI261-4."),
    )
    account = models.CharField(
        _("VAT collected account"),
        max_length=20,
        default="445710",
        help_text=_("The general ledger account of the VAT collected at this rate."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")
        ordering = ["-rate", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pricing:tax", args=[self.pk])

    @property
    def is_franchise(self) -> bool:
        return self.exemption_reason_code == FRANCHISE

    def clean(self) -> None:
        """The rules of EN 16931 between a category, its rate and its exemption reason."""
        from comptoir.pricing.reference_data import VATEX_CATEGORIES, vatex_category

        self.exemption_reason_code = self.exemption_reason_code.strip().upper()
        errors = {}
        rate = self.rate if isinstance(self.rate, Decimal | int) else None
        reasoned = self.exemption_reason.strip() or self.exemption_reason_code
        if self.category in EXEMPT_CATEGORIES:
            if rate is not None and rate != 0:
                errors["rate"] = _("No VAT is charged in this category: its rate is 0.")
            if not reasoned:
                errors["exemption_reason"] = _(
                    "Give the reason no VAT is charged: the text printed on the invoice "
                    "(e.g. « Exonération de TVA, art. 262 ter I du CGI ») or its VATEX code."
                )
        elif reasoned:
            errors["exemption_reason"] = _(
                "Only a category without VAT (exempt, reverse charge, intra-EU supply, "
                "export, outside the scope) states an exemption reason."
            )
        if self.category == VatCategory.ZERO and rate is not None and rate != 0:
            errors["rate"] = _("A zero-rated tax has a rate of 0.")
        if self.category == VatCategory.STANDARD and rate is not None and rate <= 0:
            errors["rate"] = _(
                "A taxed category has a rate above 0; for no VAT, choose zero rated or exempt."
            )
        if rate is not None and not 0 <= rate < 100:
            errors["rate"] = _("A VAT rate is a percentage between 0 and 100.")
        code = self.exemption_reason_code
        if code and code not in VATEX_CATEGORIES:
            errors["exemption_reason_code"] = _(
                "%(code)s is not a VATEX code of the official list (e.g. VATEX-EU-IC, "
                "VATEX-FR-CGI261-4)."
            ) % {"code": code}
        elif code and self.category in EXEMPT_CATEGORIES and vatex_category(code) != self.category:
            errors["exemption_reason_code"] = _(
                "%(code)s is a code of the category « %(expected)s », not « %(category)s »."
            ) % {
                "code": code,
                "expected": VatCategory(vatex_category(code)).label,
                "category": self.get_category_display(),
            }
        taken = Tax.objects.filter(code__iexact=self.code).exclude(pk=self.pk)
        if self.code and taken.exists():  # TVA20 and tva20 would read as one tax
            errors["code"] = _("A tax with the code %(code)s already exists.") % {
                "code": taken.values_list("code", flat=True).first()
            }
        if errors:
            raise ValidationError(errors)


class PaymentTerms(models.Model):
    """Due date = invoice date + days, then to the end of that month when asked
    ("45 jours fin de mois": the end of the month in which date + 45 days falls)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    days = models.PositiveIntegerField(_("days"), default=0)
    end_of_month = models.BooleanField(_("end of month"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")
        ordering = ["days", "code"]

    def __str__(self) -> str:
        return self.name

    def due_date(self, invoice_date: date) -> date:
        due = invoice_date + timedelta(days=self.days)
        if self.end_of_month:
            due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
        return due


class TermsTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    body = models.TextField(_("text"))
    default_for_quotations = models.BooleanField(default=False)
    default_for_invoices = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("terms and conditions")
        verbose_name_plural = _("terms and conditions")

    def __str__(self) -> str:
        return self.name


class RuleAction(models.TextChoices):
    """What a pricing rule does to a line's price."""

    FIXED_PRICE = "fixed_price", _("Fixed price")
    DISCOUNT_PCT = "discount_pct", _("Discount (%)")
    DISCOUNT_AMOUNT = "discount_amount", _("Discount per unit (amount)")
    COST_PLUS = "cost_plus", _("Cost price + margin (%)")
    PRICE_LIST = "price_list", _("Price from another price list")


# Who may price a line under the company's minimum margin.
SELL_BELOW_MARGIN = "pricing.sell_below_minimum_margin"

# The actions that give the line its price; the others take something off it.
PRICE_SETTING_ACTIONS = {RuleAction.FIXED_PRICE, RuleAction.COST_PLUS, RuleAction.PRICE_LIST}


class RuleChannel(models.TextChoices):
    """Where the document comes from."""

    ANY = "", _("Any")
    TYPED = "typed", _("Typed in Comptoir (web, API)")
    IMPORT = "import", _("Partner import")


class Offer(models.Model):
    """What a pricing rule and a promotion share: whether and when they are in force, their
    priority, and the customers and channel they are for (a condition left empty matches
    everything)."""

    active = models.BooleanField(_("active"), default=True)
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("The highest priority applies first.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    customer_group = models.ForeignKey(
        "parties.CustomerGroup",
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    territory = models.ForeignKey(
        "parties.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=RuleChannel.choices, blank=True, default=""
    )

    class Meta:
        abstract = True


class PricingRule(Offer):
    """A price or a discount a line gets when it meets every condition the rule states.

    A condition left empty matches everything. Among the rules a line meets, the highest
    priority gives the price (ties: the oldest rule); discounts then apply in priority order;
    a rule that stops the others ends the list, so that no rule of a lower priority applies."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    stop_others = models.BooleanField(
        _("stops the other rules"),
        default=False,
        help_text=_("Once applied, no rule of a lower priority applies to the line."),
    )
    # Conditions
    customer = models.ForeignKey(
        "parties.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item_group = models.ForeignKey(
        "catalog.ItemGroup",
        verbose_name=_("item group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its sub-groups included."),
    )
    attribute_value = models.ForeignKey(
        "catalog.ItemAttributeValue",
        verbose_name=_("variant attribute"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The variants with this value, e.g. the red ones."),
    )
    min_quantity = QuantityField(_("from quantity"))
    min_amount = AmountField(
        _("from line amount"),
        help_text=_("The line's quantity × its price before the rule, excluding VAT."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("Empty: any currency.")
    )
    partner = models.CharField(
        _("import partner"),
        max_length=100,
        blank=True,
        help_text=_("The name of the import partner, for the partner import channel."),
    )
    # Action
    action = models.CharField(_("action"), max_length=20, choices=RuleAction.choices)
    value = PriceField(
        _("value"), help_text=_("The price, the percentage or the amount, as the action says.")
    )
    price_list = models.ForeignKey(
        "catalog.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pricing rule")
        verbose_name_plural = _("pricing rules")
        ordering = ["-priority", "id"]
        permissions = [
            (
                "sell_below_minimum_margin",
                _("Can sell under the minimum margin"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pricing:rule", args=[self.pk])

    @property
    def sets_price(self) -> bool:
        return self.action in PRICE_SETTING_ACTIONS

    def history_value(self, name: str, value, state: dict) -> str | None:
        """The value in the rule's history as its list says it: a price « 120,50 € » or a
        percentage « 10,5 % », by the action the rule had then (``state``: its values then)."""
        from comptoir.core.money import format_amount, format_quantity
        from comptoir.core.templatetags.comptoir import percent

        if name != "value":
            return None
        action, number = state.get("action"), Decimal(value)
        if action in (RuleAction.FIXED_PRICE, RuleAction.DISCOUNT_AMOUNT):
            return format_amount(number, state.get("currency") or "EUR")
        if action in (RuleAction.DISCOUNT_PCT, RuleAction.COST_PLUS):
            return percent(number)
        return format_quantity(number)

    def clean(self) -> None:
        errors = {}
        value = self.value if isinstance(self.value, Decimal | int) else None
        if value is not None:
            if self.action == RuleAction.DISCOUNT_PCT and not 0 < value <= 100:
                errors["value"] = _("A discount is a percentage above 0 and up to 100.")
            elif self.action == RuleAction.DISCOUNT_AMOUNT and value <= 0:
                errors["value"] = _("A discount per unit is an amount above 0.")
            elif value < 0:
                errors["value"] = _("A price or a margin cannot be negative.")
        if self.action == RuleAction.PRICE_LIST and self.price_list_id is None:
            errors["price_list"] = _("Choose the price list the price comes from.")
        elif self.action != RuleAction.PRICE_LIST and self.price_list_id is not None:
            errors["price_list"] = _("Only a rule taking its price from a price list names one.")
        start, end = self.valid_from, self.valid_to
        if isinstance(start, date) and isinstance(end, date) and end < start:
            errors["valid_to"] = _("A rule cannot end before it starts.")
        for name in ("min_quantity", "min_amount"):
            if isinstance(getattr(self, name), Decimal | int) and getattr(self, name) < 0:
                errors[name] = _("A minimum cannot be negative.")
        if self.partner and self.channel != RuleChannel.IMPORT:
            errors["partner"] = _("A partner is named only for the partner import channel.")
        self.currency = (self.currency or "").strip().upper()
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()):
            errors["currency"] = _("A currency is its three-letter code, e.g. EUR.")
        if errors:
            raise ValidationError(errors)


# Shipping ---------------------------------------------------------------------------------------


class ShippingMethod(models.Model):
    """A carrier's way of sending, e.g. « Colissimo — domicile »: its rules give the charge."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tax = models.ForeignKey(
        Tax,
        verbose_name=_("VAT"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The VAT of the shipping charge (a customer's own VAT treatment wins)."),
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The item a line of shipping states, when shipping is charged as a line."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pricing:shipping_method", args=[self.pk])


# The countries a French seller ships to most, by name; the others are shown by their code.
COUNTRY_NAMES = {
    "FR": _("France"),
    "BE": _("Belgium"),
    "LU": _("Luxembourg"),
    "CH": _("Switzerland"),
    "DE": _("Germany"),
    "IT": _("Italy"),
    "ES": _("Spain"),
    "PT": _("Portugal"),
    "NL": _("Netherlands"),
    "GB": _("United Kingdom"),
    "MC": _("Monaco"),
}


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


def validate_country(value: str) -> None:
    """An ISO 3166 country code (« XX » is none, « AL » is Albania, not Germany)."""
    import pycountry

    if not (len(value) == 2 and value.isascii() and value.isalpha()) or not (
        pycountry.countries.get(alpha_2=value.upper())
    ):
        raise ValidationError(
            _("« %(value)s » is not a country code: write its two letters, e.g. DE for Germany.")
            % {"value": value}
        )


def read_prefixes(text: str) -> list[str]:
    """« 75, 92 ;93 » → ["75", "92", "93"]: postal code prefixes, without spaces."""
    return [part.replace(" ", "") for part in re.split(r"[,;\s]+", text or "") if part.strip()]


class ShippingZone(models.Model):
    """A part of a country: the postal codes beginning with one of its prefixes (in France,
    a department's two digits: « 75,92,93,94 »; Corsica is « 20 »)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(
        _("country"), max_length=2, default="FR", validators=[validate_country]
    )
    postal_prefixes = models.CharField(
        _("postal code prefixes"),
        max_length=1000,
        help_text=_("Separated by commas, e.g. « 75,92,93,94 » for Paris and its suburbs."),
    )

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pricing:shipping_zone", args=[self.pk])

    @cached_property
    def prefixes(self) -> tuple[str, ...]:
        """Read once per zone read (a batch's rules ask it for every document)."""
        return tuple(read_prefixes(self.postal_prefixes))

    def covers(self, country: str, postal_code: str) -> bool:
        postal_code = (postal_code or "").replace(" ", "")
        return country == self.country and any(postal_code.startswith(p) for p in self.prefixes)

    def clean(self) -> None:
        self.country = (self.country or "").strip().upper()
        prefixes = read_prefixes(self.postal_prefixes)
        if not prefixes:
            raise ValidationError(
                {"postal_prefixes": _("Give at least one postal code prefix, e.g. « 75 ».")}
            )
        wrong = [p for p in prefixes if not p.isalnum()]
        if wrong:
            raise ValidationError(
                {
                    "postal_prefixes": _("« %(prefix)s » is not the beginning of a postal code.")
                    % {"prefix": wrong[0]}
                }
            )
        self.postal_prefixes = ",".join(prefixes)


class ShippingRule(models.Model):
    """What a shipping method charges for a destination, a weight and an order amount.

    A rule applies when the destination is in its country (and its zone, when it has one), the
    weight over « weight over » and up to « weight up to », the amount excluding VAT from
    « amount from » and below « amount below » (a blank bound is no bound). Among the rules
    that apply, the highest priority wins; at equal priority a rule with an amount condition
    beats one without (free shipping from 100 € beats the weight grid, in every zone), then a
    zone beats the whole country, then the oldest rule wins.
    Free shipping above a threshold: a rule « amount from 100 » charging 0; a zone left out of
    it (Corsica) gets its own rule with a higher priority.
    """

    method = models.ForeignKey(
        ShippingMethod,
        verbose_name=_("shipping method"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    country = models.CharField(
        _("country"), max_length=2, default="FR", validators=[validate_country]
    )
    zone = models.ForeignKey(
        ShippingZone,
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text=_("Blank: the whole country."),
    )
    weight_over = QuantityField(_("weight over (kg)"), null=True, blank=True, default=None)
    weight_up_to = QuantityField(_("weight up to (kg)"), null=True, blank=True, default=None)
    amount_from = AmountField(
        _("order amount from (excl. VAT)"), null=True, blank=True, default=None
    )
    amount_below = AmountField(
        _("order amount below (excl. VAT)"), null=True, blank=True, default=None
    )
    charge = AmountField(_("charge excl. VAT"), help_text=_("0 for free shipping."))
    charge_per_kg = PriceField(_("plus per kg"), help_text=_("Added for each kilogram shipped."))
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Among the rules that apply, the highest wins.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping rule")
        verbose_name_plural = _("shipping rules")
        ordering = ["method__name", "country", "-priority", "pk"]

    def __str__(self) -> str:
        return _("%(method)s to %(where)s") % {"method": self.method, "where": self.destination}

    def get_absolute_url(self) -> str:
        return reverse("pricing:shipping_rule", args=[self.pk])

    @property
    def destination(self) -> str:
        return str(self.zone) if self.zone_id else country_name(self.country)

    def applies(self, country: str, postal_code: str, weight: Decimal, amount: Decimal) -> bool:
        return (
            self.active
            and country == self.country
            and (self.zone is None or self.zone.covers(country, postal_code))
            and (self.weight_over is None or weight > self.weight_over)
            and (self.weight_up_to is None or weight <= self.weight_up_to)
            and (self.amount_from is None or amount >= self.amount_from)
            and (self.amount_below is None or amount < self.amount_below)
        )

    def precedence(self) -> tuple:
        """Sorting key: the first of the rules that apply is the one that gives the charge."""
        no_amount = self.amount_from is None and self.amount_below is None
        return (-self.priority, no_amount, self.zone_id is None, self.pk or 0)

    def clean(self) -> None:
        self.country = (self.country or "").strip().upper()
        errors = {}
        if self.zone_id and self.zone.country != self.country:
            errors["zone"] = _("This zone is in another country than the rule.")
        for low, high, message in (
            ("weight_over", "weight_up_to", _("The weight « up to » must be above « over ».")),
            ("amount_from", "amount_below", _("The amount « below » must be above « from ».")),
        ):
            below, above = getattr(self, low), getattr(self, high)
            if isinstance(below, Decimal) and isinstance(above, Decimal) and above <= below:
                errors[high] = message
        for name in ("weight_over", "weight_up_to", "amount_from", "amount_below"):
            value = getattr(self, name)
            if isinstance(value, Decimal) and value < 0:
                errors[name] = _("This cannot be negative.")
        for name in ("charge", "charge_per_kg"):
            value = getattr(self, name)
            if isinstance(value, Decimal | int) and value < 0:
                errors[name] = _("A charge cannot be negative.")
        if errors:
            raise ValidationError(errors)


# Promotions -------------------------------------------------------------------------------------


class PromotionKind(models.TextChoices):
    """What a promotion gives (``comptoir.pricing.promotions``)."""

    BUY_X_GET_Y = "buy_x_get_y", _("Buy some, get some (free or discounted)")
    THRESHOLD = "threshold", _("Discount above an amount or a quantity")
    BUNDLE = "bundle", _("Bundle at a set price")


class Promotion(Offer):
    """An offer applied to whole documents: reward lines (buy X get Y) or a document discount
    (above a threshold, a bundle at a set price). A condition left empty matches everything."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Printed on documents, e.g. « 3 pour 2 ».")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PromotionKind.choices)
    # Buy X get Y: ``quantity`` of the item (or of the group) bought gives ``reward_quantity``
    # of the reward item at ``reward_discount_pct``, as many times as the quantity allows.
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item bought"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_group = models.ForeignKey(
        "catalog.ItemGroup",
        verbose_name=_("item group bought"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its sub-groups included."),
    )
    quantity = QuantityField(_("quantity bought"))
    reward_item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item given"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the item bought."),
    )
    reward_quantity = QuantityField(_("quantity given"))
    reward_discount_pct = RateField(
        _("discount on the items given %"), default=Decimal("100"), help_text=_("100: free.")
    )
    # Threshold: the document's lines total excl. VAT from ``min_amount``, or its quantity
    # from ``min_quantity``, gets ``discount_pct`` or ``discount_amount`` off the document.
    min_amount = AmountField(
        _("from a lines total excl. VAT of"), null=True, blank=True, default=None
    )
    min_quantity = QuantityField(_("from a quantity of"), null=True, blank=True, default=None)
    discount_pct = RateField(_("discount %"), null=True, blank=True, default=None)
    discount_amount = AmountField(_("discount excl. VAT"), null=True, blank=True, default=None)
    # Bundle: each complete set of its components costs ``set_price`` excl. VAT.
    set_price = AmountField(_("set price excl. VAT"), null=True, blank=True, default=None)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pricing:promotion", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        start, end = self.valid_from, self.valid_to
        if isinstance(start, date) and isinstance(end, date) and end < start:
            errors["valid_to"] = _("A promotion cannot end before it starts.")
        number = Decimal | int
        if self.kind == PromotionKind.BUY_X_GET_Y:
            if not (self.item_id or self.item_group_id):
                errors["item"] = _("Choose the item (or the item group) bought.")
            if not self.reward_item_id and not self.item_id:
                errors["reward_item"] = _("Choose the item given.")
            if isinstance(self.quantity, number) and self.quantity <= 0:
                errors["quantity"] = _("The quantity bought is above 0.")
            if isinstance(self.reward_quantity, number) and self.reward_quantity <= 0:
                errors["reward_quantity"] = _("The quantity given is above 0.")
            pct = self.reward_discount_pct
            if isinstance(pct, number) and not 0 < pct <= 100:
                errors["reward_discount_pct"] = _(
                    "A discount is a percentage above 0 and up to 100."
                )
        elif self.kind == PromotionKind.THRESHOLD:
            if self.min_amount is None and self.min_quantity is None:
                errors["min_amount"] = _("Give the amount or the quantity the discount starts at.")
            if (self.discount_pct is None) == (self.discount_amount is None):
                errors["discount_pct"] = _("Give either a discount percentage or an amount.")
            elif self.discount_pct is not None and not 0 < self.discount_pct <= 100:
                errors["discount_pct"] = _("A discount is a percentage above 0 and up to 100.")
            elif self.discount_amount is not None and self.discount_amount <= 0:
                errors["discount_amount"] = _("A discount is an amount above 0.")
        elif self.kind == PromotionKind.BUNDLE and not (
            isinstance(self.set_price, number) and self.set_price >= 0
        ):
            errors["set_price"] = _("Give the price of a set (0 or more).")
        if errors:
            raise ValidationError(errors)


class PromotionComponent(models.Model):
    """An item and its quantity in a bundle's set."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(
        "catalog.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity"), default=Decimal("1"))

    class Meta:
        verbose_name = _("bundle component")
        verbose_name_plural = _("bundle components")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"


class CouponReward(models.TextChoices):
    PERCENT = "percent", _("Percentage of the document")
    AMOUNT = "amount", _("Amount excl. VAT")


class Coupon(models.Model):
    """A code a customer gives to have a discount on a quotation, an order or an invoice
    (pricing.coupons applies and redeems it)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # The codes generated together share it (and their settings): the batch's CSV lists them.
    campaign = models.CharField(_("campaign"), max_length=100, blank=True, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("uses in total"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_uses_per_customer = models.PositiveIntegerField(
        _("uses per customer"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    customer = models.ForeignKey(
        "parties.Customer",
        verbose_name=_("for the customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: for every customer."),
    )
    reward = models.CharField(
        _("discount"), max_length=10, choices=CouponReward.choices, default=CouponReward.PERCENT
    )
    value = AmountField(_("value"), help_text=_("The percentage, or the amount excl. VAT."))
    minimum_amount = AmountField(
        _("minimum amount excl. VAT"),
        null=True,
        blank=True,
        help_text=_("The lines' total excl. VAT the document must reach (empty: none)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-created_at", "code"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize_code(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pricing:coupon", args=[self.pk])

    @property
    def uses_left(self) -> int | None:
        """The uses it has left (None: no limit); its ``use_count`` annotated (coupons)."""
        if self.max_uses is None:
            return None
        return max(self.max_uses - getattr(self, "use_count", 0), 0)

    @property
    def discount(self) -> str:
        """« 10 % » or « 25,00 € excl. VAT », as a reader sees it."""
        from comptoir.core.money import format_amount
        from comptoir.core.templatetags.comptoir import percent

        if self.reward == CouponReward.PERCENT:
            return str(percent(self.value))
        return _("%(amount)s excl. VAT") % {"amount": format_amount(self.value)}

    def history_value(self, name: str, value, state: dict) -> str | None:
        """The value in the coupon's history: a percentage or an amount, by its reward then."""
        from comptoir.core.money import format_amount
        from comptoir.core.templatetags.comptoir import percent

        if name not in ("value", "minimum_amount"):
            return None
        if name == "value" and state.get("reward") == CouponReward.PERCENT:
            return str(percent(Decimal(value)))
        return format_amount(Decimal(value))


def normalize_code(code) -> str:
    """A coupon code as stored: upper-case, without the spaces around it."""
    return str(code or "").strip().upper()


class CouponRedemption(models.Model):
    """One use of a coupon: the documents of one sale (a quotation, the order made from it,
    the invoice made from that) share it; it goes when none of them holds the code."""

    coupon = models.ForeignKey(
        Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT, related_name="redemptions"
    )
    customer = models.ForeignKey(
        "parties.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    quotation = models.ForeignKey(
        "sales.Quotation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    order = models.ForeignKey(
        "sales.SalesOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.coupon} ({self.created_at:%Y-%m-%d})"
