from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.identifiers import validate_barcode
from comptoir.core.links import record_url
from comptoir.core.money import NumberModelField, PriceField, QuantityField
from comptoir.core.validation import refuse_negative_prices


class Unit(models.Model):
    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("UN/ECE recommendation 20 code")
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("unit of measure")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemGroup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("item group")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemAttribute(models.Model):
    """What variants of an item differ by: « Taille », « Couleur »…"""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("item attribute")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class ItemAttributeValue(models.Model):
    """One value of an attribute (« M », « Rouge »); its code goes into the variants' codes."""

    attribute = models.ForeignKey(
        ItemAttribute, verbose_name=_("attribute"), on_delete=models.CASCADE, related_name="values"
    )
    code = models.CharField(_("code"), max_length=10)
    label = models.CharField(_("value"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute value")
        ordering = ["attribute", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "code"], name="attribute_value_code_once")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def reference(self) -> str:
        """How a file or the API names it: « COULEUR:ROUGE »."""
        return f"{self.attribute.code}:{self.code}"


class Item(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICE = "service", _("Service")
        BUNDLE = "bundle", _("Bundle")  # sold as one, made of components kept in stock

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    barcode = models.CharField(
        _("barcode"),
        max_length=14,
        blank=True,
        db_index=True,
        validators=[validate_barcode],
        help_text=_("EAN-13 or GTIN"),
    )
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    group = models.ForeignKey(
        ItemGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT
    )
    sale_price = PriceField(_("sale price excl. VAT"))
    cost_price = PriceField(_("cost price"))
    tax = models.ForeignKey(
        "pricing.Tax", verbose_name=_("VAT"), on_delete=models.PROTECT, related_name="+"
    )
    weight = QuantityField(
        _("weight (kg)"),
        blank=True,
        db_default=Decimal("0"),  # rows inserted in bulk without it weigh nothing
        validators=[MinValueValidator(0)],
        help_text=_("Shipping weight of one unit, in kilograms; blank counts as 0."),
    )
    lead_time_days = models.PositiveIntegerField(
        _("lead time (days)"),
        default=0,
        help_text=_("Days to get more when there is none: the date promised when short."),
    )
    active = models.BooleanField(_("active"), default=True)
    # Variants: a template (« T-shirt ») is never sold itself; its variants (« T-shirt M
    # rouge ») are ordinary items, each with its own code, barcode, stock and price.
    is_template = models.BooleanField(
        _("model with variants"),
        default=False,
        db_default=False,
        help_text=_("Sold only through its variants (sizes, colours…)."),
    )
    template = models.ForeignKey(
        "self",
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
    )
    price_extra = NumberModelField(
        _("price difference"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        db_default=Decimal("0"),
        help_text=_("Added to the model's sale price to make the variant's."),
    )
    # The variant's attribute values (ids, sorted): two variants of a template never share it.
    variant_key = models.CharField(
        max_length=200, blank=True, default="", db_default="", editable=False
    )

    class Meta:
        verbose_name = _("item")
        ordering = ["code"]
        # What a role sees of money, apart from what it may change (``comptoir.core.access``).
        permissions = [
            ("see_prices", _("Can see selling prices and amounts")),
            ("see_costs", _("Can see cost prices and margins")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "variant_key"],
                condition=models.Q(template__isnull=False),
                name="variant_combination_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return record_url("catalog:item", self.pk)

    def clean(self):
        refuse_negative_prices(self, "sale_price", "cost_price")

    @property
    def is_service(self) -> bool:
        return self.kind == self.Kind.SERVICE

    @property
    def is_bundle(self) -> bool:
        return self.kind == self.Kind.BUNDLE

    @property
    def is_variant(self) -> bool:
        return self.template_id is not None


class TemplateAttribute(models.Model):
    """An attribute a template varies on; the first one makes the rows of its grid."""

    template = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="template_attributes")
    attribute = models.ForeignKey(ItemAttribute, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "attribute"], name="template_attribute_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_id} / {self.attribute_id}"


class VariantValue(models.Model):
    """A variant's value for one attribute of its template."""

    variant = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="variant_values")
    attribute = models.ForeignKey(ItemAttribute, on_delete=models.PROTECT, related_name="+")
    value = models.ForeignKey(ItemAttributeValue, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "attribute"], name="variant_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.value_id}"


class BundleComponent(models.Model):
    """One component of a bundle: delivering the bundle moves its components."""

    bundle = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity per bundle"))

    class Meta:
        verbose_name = _("bundle component")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_once")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component_id} in {self.bundle_id}"


class PriceList(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    prices_include_vat = models.BooleanField(_("prices include VAT"), default=False)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("catalog:price_list", self.pk)


class ItemPrice(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="prices")
    min_quantity = QuantityField(_("minimum quantity"))
    price = PriceField(_("price"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("item price")
        indexes = [models.Index(fields=["price_list", "item"])]

    def __str__(self) -> str:
        return f"{self.price_list} / {self.item.code}: {self.price}"

    def clean(self):
        refuse_negative_prices(self, "price")
        start, end = self.valid_from, self.valid_to
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise ValidationError(
                {"valid_to": _("A price cannot be valid until a date before its start.")}
            )
