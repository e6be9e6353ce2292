"""The document form of the web UI (quotation, order, invoice): header fields and lines.

It reads what the browser sends into the same input the API builds (`read_document_input`),
prices it with the same engine and totals it with the same function, so the live preview,
the saved draft and an API call always agree. Errors come back keyed by form field.
"""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.catalog.forms import item_picker
from comptoir.catalog.models import Item, ItemAttributeValue
from comptoir.core.bulk import new_instances
from comptoir.core.documents import given_allowances_charges
from comptoir.core.errors import BusinessError
from comptoir.core.forms import NumberField
from comptoir.core.listing import DATE_WIDGET
from comptoir.core.models import Company
from comptoir.core.money import MAX_QUANTITY, format_amount, format_quantity, parse_decimal
from comptoir.core.templatetags.comptoir import percent
from comptoir.core.widgets import SearchPicker
from comptoir.parties.models import Customer
from comptoir.parties.queries import visible_customers
from comptoir.pricing.documents import (
    DocumentRequest,
    build_documents,
    read_allowances_charges,
    read_document_header,
    read_document_input,
)
from comptoir.pricing.engine import price_lines, read_line_specs
from comptoir.pricing.models import (
    Coupon,
    PricingRule,
    Promotion,
    RuleAction,
    ShippingMethod,
    ShippingRule,
    ShippingZone,
    Tax,
    validate_country,
)
from comptoir.pricing.reference_data import VATEX_CODES
from comptoir.pricing.variant_entry import VariantEntry

LINE_FIELDS = ("item", "description", "quantity", "unit_price", "discount_pct", "tax")
# Filled by the engine for the item chosen; cleared when the line's item changes.
PRICED_FIELDS = ("description", "unit_price", "discount_pct", "tax", "auto_price", "auto_discount")
# A price or discount the engine proposed (kept in a hidden field beside it) and left as it is
# was not typed: the engine prices it again as the line changes (a quantity reaching a rule's
# threshold). One the user changed is theirs. The hidden field keeps the last few values the
# engine proposed, so that a field the browser could not redraw (the user was in it) and sends
# back as it was is still the engine's.
PROPOSED = {"unit_price": "auto_price", "discount_pct": "auto_discount"}
KEPT_PROPOSALS = 5
HEADER_FIELDS = (
    "customer",
    "date",
    "customer_reference",
    "payment_terms",
    "shipping_method",
    "coupon_code",
    "notes",
)
# The document's discount: a value, a percentage or an amount excl. VAT, and its VAT (a
# percentage may be on every VAT rate); the other allowances and charges stay as they are.
DISCOUNT_FIELDS = ("discount_value", "discount_kind", "discount_tax")
ROW_KEY = re.compile(r"^lines-(\d+)-(\w+)$")
ERROR_PATH = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def input_number(value) -> str:
    """A number as a user types it in their locale, without useless zeros or grouping."""
    return "" if value is None or value == "" else format_quantity(value, grouped=False)


@dataclass
class LineRow:
    values: dict
    net_amount: Decimal | None = None
    vat_rate: Decimal | None = None
    errors: dict = field(default_factory=dict)
    explanation: list = field(default_factory=list)

    @property
    def below_margin_warning(self) -> str:
        """A price a user allowed to go under the minimum margin: said, not refused."""
        last = self.explanation[-1] if self.explanation else {}
        if not last.get("below_margin") or last.get("floor") is None:
            return ""
        return _("Under the minimum margin (%(floor)s)") % {
            "floor": format_amount(Decimal(last["floor"]))
        }

    @property
    def is_blank(self) -> bool:
        return not any(self.values.get(name) for name in ("item", "description", "quantity"))


class DocumentForm:
    """Header values and line rows as typed, the priced preview, and errors by field."""

    def __init__(
        self,
        data=None,
        *,
        document=None,
        extra_fields: tuple[str, ...] = (),
        customer: str = "",
        user=None,
    ):
        self.document = document
        self.user = user  # whose customers may be chosen
        self.header_fields = HEADER_FIELDS + extra_fields
        self.extra_fields = extra_fields
        self.errors: dict[str, str] = {}
        self.built = None
        self.promotion_lines: list = []
        self.kept_allowances_charges = _kept_allowances_charges(document)
        self.variant_entry = VariantEntry()
        if data is not None:
            self.values = {
                name: (data.get(name) or "").strip()
                for name in (*self.header_fields, *DISCOUNT_FIELDS)
            }
            if document is not None:
                self.values["customer"] = document.customer.code
            self.rows = self._read_rows(data)
            if data.get("add_line"):
                self.rows.append(LineRow({}))
            if data.get("remove_line", "").isdigit():
                index = int(data["remove_line"])
                if 0 <= index < len(self.rows):
                    del self.rows[index]
            self._take_variant_entry(data)
        elif document is not None:
            self.values = {name: _as_input(getattr(document, name)) for name in self.header_fields}
            self.values["customer"] = document.customer.code
            self.values["payment_terms"] = (
                document.payment_terms.code if document.payment_terms else ""
            )
            self.values["shipping_method"] = (
                document.shipping_method.code if document.shipping_method else ""
            )
            # A promotion's lines are shown beside the user's, never edited: it gives them again.
            self.rows = [
                LineRow(_line_values(line))
                for line in document.lines.select_related("item", "tax")
                if not line.promotion_code and not line.is_shipping
            ]
            self.values.update(_discount_values(document))
        else:
            self.values = {name: "" for name in self.header_fields}
            self.values.update(date=timezone.localdate().isoformat(), customer=customer)
            self.rows = [LineRow({}) for __ in range(3)]

    def _take_variant_entry(self, data) -> None:
        """The quantities typed in the grid of a model's variants become lines, in place of
        the blank ones; on saving too, so that nothing typed is lost."""
        self.variant_entry = VariantEntry.read(data)
        if not (data.get("add_grid") or data.get("save")):
            return
        lines = self.variant_entry.take_lines()
        if lines is None:
            self.errors["grid"] = _("A quantity of the grid cannot be read.")
        elif lines:
            kept = [row for row in self.rows if not row.is_blank]
            self.rows = kept + [LineRow({**line, "priced_item": line["item"]}) for line in lines]

    @property
    def checked_header_fields(self) -> tuple[str, ...]:
        """The header fields whose errors show beside them."""
        return (
            "customer",
            "date",
            "payment_terms",
            "shipping_method",
            "coupon_code",
            *self.extra_fields,
        )

    @property
    def general_error(self) -> str:
        return self.errors.get("__all__", "")

    @staticmethod
    def _read_rows(data) -> list[LineRow]:
        by_index: dict[int, dict] = {}
        for key in data:
            match = ROW_KEY.match(key)
            if match:
                by_index.setdefault(int(match[1]), {})[match[2]] = (data.get(key) or "").strip()
        rows = []
        for index in sorted(by_index):
            values = by_index[index]
            if values.get("item", "") != values.get("priced_item", ""):
                for name in PRICED_FIELDS:
                    values[name] = ""
                if values.get("item") and not values.get("quantity"):
                    values["quantity"] = "1"
                # Cleared once: what the user types next on the line is theirs to keep.
                values["priced_item"] = values.get("item", "")
            rows.append(LineRow(values))
        return rows

    # -- reading -----------------------------------------------------------------------------
    def _dates(self) -> dict:
        dates = {}
        for name in ("date", *self.extra_fields):
            if not name.endswith("date") and name != "valid_until":
                continue
            raw = self.values.get(name, "")
            if not raw:
                dates[name] = None
                continue
            try:
                dates[name] = forms.DateField().clean(raw)
            except forms.ValidationError as error:
                self.errors[name] = error.messages[0]
                dates[name] = None
        return dates

    def _header_input(self, dates: dict) -> dict:
        return {
            **{name: self.values.get(name, "") for name in self.header_fields},
            **dates,
            "payment_terms": self.values.get("payment_terms") or None,
        }

    def _filled_rows(self) -> list[tuple[int, LineRow]]:
        return [(index, row) for index, row in enumerate(self.rows) if not row.is_blank]

    def _allowances_charges(self) -> list[dict] | None:
        """The document's allowances and charges with the discount as typed; None with the
        error beside the discount."""
        raw = self.values.get("discount_value", "")
        if not raw:
            return list(self.kept_allowances_charges)
        try:
            value = parse_decimal(raw, field="discount_value")
        except BusinessError as error:
            self.errors["discount"] = error.message
            return None
        if value < 0:
            self.errors["discount"] = _("A discount cannot be negative.")
            return None
        by_percent = self.values.get("discount_kind") != "amount"
        row = {"reason": "", "tax": self.values.get("discount_tax") or None}
        row["percent" if by_percent else "amount"] = value
        try:
            (discount,) = read_allowances_charges([row])
        except BusinessError as error:
            self.errors["discount"] = error.message
            return None
        if by_percent:
            discount["reason"] = _("Discount %(percent)s") % {"percent": percent(value)}
        else:
            discount["reason"] = _("Discount")
        discount["from_form"] = True
        return [*self.kept_allowances_charges, discount]

    def read(self) -> DocumentRequest | None:
        """The request the form stands for, or None with self.errors set."""
        dates = self._dates()
        if not self.values.get("customer"):
            self.errors["customer"] = _("Choose a customer.")
        allowances_charges = self._allowances_charges()
        if self.errors:
            return None
        filled = self._filled_rows()
        data = {**self._header_input(dates), "lines": [_line_input(row) for __, row in filled]}
        try:
            request = read_document_input(data, self.user)
        except BusinessError as error:
            self.add_error(error, filled)
            return None
        request.header["allowances_charges"] = allowances_charges
        return request

    def add_error(self, error: BusinessError, filled=None) -> None:
        filled = filled if filled is not None else self._filled_rows()
        match = ERROR_PATH.match(error.field or "")
        if match and int(match[1]) < len(filled):
            index, row = filled[int(match[1])]
            row.errors[match[2]] = error.message
            self.errors[f"lines-{index}-{match[2]}"] = error.message
        elif error.field in self.header_fields:
            self.errors[error.field] = error.message
        elif (error.field or "").startswith("allowances_charges"):
            self.errors["discount"] = error.message
        else:
            self.errors["__all__"] = error.message

    def preview(self, doc_model, line_model, *, by=None):
        """Price and total the form as it stands, saving nothing; fill what the engine chose.

        Every error stays next to its field, and the lines that can be priced are priced and
        totalled all the same: an error on one line (or in the header) hides nothing else."""
        self.errors, self.built, self.promotion_lines = {}, None, []
        for row in self.rows:
            row.errors = {}
        dates = self._dates()
        customer, header = self._preview_header(dates)
        allowances_charges = self._allowances_charges() or list(self.kept_allowances_charges)
        header["allowances_charges"] = allowances_charges
        filled = self._filled_rows()
        read_errors: dict = {}
        specs = read_line_specs([_line_input(row) for __, row in filled], errors=read_errors)
        self._line_errors(filled, read_errors)
        readable = [pair for index, pair in enumerate(filled) if index not in read_errors]
        price_errors: dict = {}
        if customer is None:  # priced at the item's prices until the customer is known
            day = dates.get("date") or timezone.localdate()
            lines = new_instances(
                line_model, price_lines(Customer(), day, specs, errors=price_errors)
            )
            document = doc_model(currency=Company.get().currency)
            document.allowances_charges = allowances_charges
            try:
                document.apply_totals(lines)
            except BusinessError as error:
                self.add_error(error)
                document.allowances_charges = list(self.kept_allowances_charges)
                document.apply_totals(lines)
        else:
            request = DocumentRequest(
                customer, specs, header, line_errors=price_errors, header_errors=[]
            )
            try:
                ((document, lines),) = build_documents(doc_model, line_model, [request], by=by)
            except BusinessError as error:
                self.add_error(error)
                if "discount" not in self.errors:
                    return None
                # A discount the lines cannot bear: said beside it, the rest totalled without.
                header["allowances_charges"] = list(self.kept_allowances_charges)
                price_errors.clear()
                try:
                    built = build_documents(doc_model, line_model, [request], by=by)
                except BusinessError:
                    return None
                ((document, lines),) = built
            for error in request.header_errors:  # the shipping no rule covers
                self.add_error(error)
        self._line_errors(readable, price_errors)
        priced = [pair for index, pair in enumerate(readable) if index not in price_errors]
        self.promotion_lines = [line for line in lines if line.promotion_code]
        # The user's lines, without those the promotions and the shipping charge gave.
        lines = [line for line in lines if not line.promotion_code and not line.is_shipping]
        for (__, row), line in zip(priced, lines, strict=True):
            typed = _line_input(row)
            price, discount = input_number(line.unit_price), input_number(line.discount_pct)
            row.values.update(
                description=line.description,
                unit_price=price,
                discount_pct=discount,
                auto_price="" if typed["unit_price"] else _proposals(row, "auto_price", price),
                auto_discount=""
                if typed["discount_pct"]
                else _proposals(row, "auto_discount", discount),
                tax=line.tax.code if line.tax else row.values.get("tax", ""),
            )
            row.net_amount = line.net_amount
            row.vat_rate = line.vat_rate
            row.explanation = line.price_explanation
        self.built = document
        try:  # the document's own checks of its header (an invoice's period of supply)
            getattr(document, "check_header", lambda: None)()
        except BusinessError as error:
            self.add_error(error)
        return document

    def _preview_header(self, dates: dict) -> tuple[Customer | None, dict]:
        """The customer and header fields the preview prices with; a header error is kept on
        its field and the preview goes on without what it concerns."""
        if not self.values.get("customer"):
            self.errors["customer"] = _("Choose a customer.")
            return None, {}
        try:
            return read_document_header(self._header_input(dates), self.user)
        except BusinessError as error:
            self.add_error(error)
            return None, {}

    def _line_errors(self, pairs: list[tuple[int, LineRow]], errors: dict) -> None:
        """Errors the engine kept by line (its index in ``pairs``), shown next to their field."""
        for position, error in errors.items():
            index, row = pairs[position]
            match = ERROR_PATH.match(error.field or "")
            name = match[2] if match else "item"
            row.errors[name] = error.message
            self.errors[f"lines-{index}-{name}"] = error.message


def _discount_rows(document) -> tuple[list[dict], list[dict]]:
    """The stored rows of the form's discount, and the others, which the form keeps as they are
    (charges such as shipping, discounts it cannot show as one). The form's discount is the
    one it saved, else the document's only discount (given through the API)."""
    rows = document.allowances_charges if document is not None else []
    marked = [row for row in rows if row.get("from_form")]
    if not marked:
        # Those the document's promotions, coupon or shipping give are not the form's.
        own = [row for row in rows if not row.get("source")]
        discounts = [item for item, _row in given_allowances_charges(own) if not item.is_charge]
        if len(discounts) == 1:
            marked = [row for row in own if not row.get("is_charge")]
    return marked, [row for row in rows if not any(row is x for x in marked)]


def _kept_allowances_charges(document) -> list[dict]:
    """What the form leaves as it is: every allowance and charge but the form's discount."""
    return _discount_rows(document)[1]


def _discount_values(document) -> dict:
    """The form's discount of a saved document, as the user typed it."""
    given = given_allowances_charges(_discount_rows(document)[0])
    if not given:
        return {}
    item, _row = given[0]
    by_percent = item.percent is not None
    tax = ""
    if not item.on_every_vat_group:
        found = Tax.objects.filter(
            category=item.vat_category, rate=item.vat_rate, active=True
        ).first()
        tax = found.code if found else ""
    return {
        "discount_value": input_number(item.percent if by_percent else item.amount),
        "discount_kind": "percent" if by_percent else "amount",
        "discount_tax": tax,
    }


def _line_input(row: LineRow) -> dict:
    """The line as the engine reads it: a price or discount the engine proposed is left out."""
    values = {name: row.values.get(name, "") for name in LINE_FIELDS}
    for name, proposed in PROPOSED.items():
        if values[name] and values[name] in (row.values.get(proposed) or "").split("|"):
            values[name] = ""
    return values


def _proposals(row: LineRow, name: str, value: str) -> str:
    """The engine's latest proposal first, then the few before it."""
    before = [v for v in (row.values.get(name) or "").split("|") if v and v != value]
    return "|".join([value, *before][:KEPT_PROPOSALS])


def _as_input(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _line_values(line) -> dict:
    """A stored line as the form shows it; its price and discount are the engine's unless its
    explanation says they were typed (or it has none: a line priced before explanations)."""
    item_code = line.item.code if line.item_id else ""
    kinds = {step.get("kind") for step in line.price_explanation or ()}
    price, discount = input_number(line.unit_price), input_number(line.discount_pct)
    return {
        "item": item_code,
        "priced_item": item_code,
        "description": line.description,
        "quantity": input_number(line.quantity),
        "unit_price": price,
        "discount_pct": discount,
        "auto_price": price if kinds and "manual_price" not in kinds else "",
        "auto_discount": discount if kinds and "manual_discount" not in kinds else "",
        "tax": line.tax.code if line.tax_id else "",
    }


# What each VATEX code a French seller meets means; the others are shown by their code.
VATEX_LABELS = {
    "VATEX-FR-FRANCHISE": gettext_lazy("VAT franchise (art. 293 B du CGI)"),
    "VATEX-EU-IC": gettext_lazy("Intra-community supply"),
    "VATEX-EU-G": gettext_lazy("Export outside the EU"),
    "VATEX-EU-AE": gettext_lazy("Reverse charge"),
    "VATEX-FR-AE": gettext_lazy("Reverse charge in France (art. 283 du CGI)"),
    "VATEX-EU-O": gettext_lazy("Outside the scope of VAT"),
    "VATEX-FR-CGI261-4": gettext_lazy("Exempt, art. 261-4 du CGI (medical care, training…)"),
    "VATEX-FR-CGI261C-1": gettext_lazy("Exempt, art. 261 C-1° du CGI (banking and finance)"),
}


def _vatex_choices():
    known = [(code, f"{code} — {label}") for code, label in VATEX_LABELS.items()]
    others = [(code, code) for code in VATEX_CODES if code not in VATEX_LABELS]
    return [("", "—"), *known, *others]


class TaxForm(forms.ModelForm):
    """A tax as Settings shows it: its rate, its EN 16931 category and, for a category without
    VAT, the reason printed on the invoice and its VATEX code."""

    rate = NumberField(label=gettext_lazy("Rate %"), min_value=0, max_value=99.99)
    exemption_reason_code = forms.ChoiceField(
        label=gettext_lazy("Exemption code (VATEX)"),
        choices=_vatex_choices,
        required=False,
        help_text=gettext_lazy("The code of the exemption in the e-invoice."),
    )

    class Meta:
        model = Tax
        fields = [
            "code", "name", "category", "rate", "exemption_reason", "exemption_reason_code",
            "account", "active",
        ]  # fmt: skip
        labels = {"active": gettext_lazy("In use (untick to archive)")}

    def clean(self):
        data = super().clean()
        if "rate" in self.errors:
            # Its own message says what is wrong; the rules between the category and the
            # rate wait for a rate.
            self.instance.rate = None
        return data


class WhyPriceForm(forms.Form):
    """A customer, an item, a quantity and a day: the price they make, and why."""

    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.none(),
        to_field_name="code",
        widget=SearchPicker("parties:customer_options"),
    )
    item = forms.ModelChoiceField(
        label=gettext_lazy("Item"),
        queryset=Item.objects.filter(active=True).select_related("tax", "unit", "group"),
        to_field_name="code",
        widget=SearchPicker("catalog:item_options"),
    )
    quantity = NumberField(label=gettext_lazy("Quantity"), initial=1)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE_WIDGET)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if not 0 < quantity <= MAX_QUANTITY:
            raise forms.ValidationError(_("A quantity is a number above 0."))
        return quantity

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = visible_customers(user).select_related(
            "price_list", "group", "territory"
        )


class ShippingMethodForm(forms.ModelForm):
    item = item_picker(
        gettext_lazy("Item"),
        help_text=gettext_lazy("The item a line of shipping states (optional)."),
    )

    class Meta:
        model = ShippingMethod
        fields = ["code", "name", "carrier", "tax", "item", "active"]
        labels = {"active": gettext_lazy("In use (untick to switch it off)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax"].queryset = Tax.objects.filter(active=True).order_by("code")


class CountryField(forms.CharField):
    """A country's two letters, typed as they come (« de »): a country's name typed in full is
    said wrong, not cut to two letters by the browser."""

    def __init__(self, **kwargs):
        super().__init__(max_length=60, **kwargs)

    def clean(self, value):
        value = super().clean(value).strip().upper()
        validate_country(value)
        return value


class ShippingZoneForm(forms.ModelForm):
    country = CountryField(label=gettext_lazy("Country"), initial="FR")

    class Meta:
        model = ShippingZone
        fields = ["code", "name", "country", "postal_prefixes"]


class ShippingRuleForm(forms.ModelForm):
    country = CountryField(label=gettext_lazy("Country"), initial="FR")

    class Meta:
        model = ShippingRule
        fields = [
            "method", "country", "zone", "weight_over", "weight_up_to", "amount_from",
            "amount_below", "charge", "charge_per_kg", "priority", "active",
        ]  # fmt: skip
        labels = {"active": gettext_lazy("In use (untick to switch it off)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].empty_label = gettext_lazy("The whole country")
        self.fields["method"].queryset = ShippingMethod.objects.order_by("name")


# What the value of a rule is, for each action: the form's value field says it.
VALUE_LABELS = {
    RuleAction.FIXED_PRICE: gettext_lazy("Price excl. VAT"),
    RuleAction.DISCOUNT_PCT: gettext_lazy("Discount %"),
    RuleAction.DISCOUNT_AMOUNT: gettext_lazy("Discount per unit (amount)"),
    RuleAction.COST_PLUS: gettext_lazy("Margin on the cost price %"),
    RuleAction.PRICE_LIST: gettext_lazy("Value (unused: the price comes from the list)"),
}


class AttributeValueChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _("%(what)s: %(name)s") % {"what": obj.attribute, "name": obj}


class RuleForm(forms.ModelForm):
    """A pricing rule: what it does (its action and the value that action expects), then the
    conditions a line must meet, each left empty to match every line."""

    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.all(),
        to_field_name="code",
        required=False,
        widget=SearchPicker("parties:customer_options"),
    )
    item = item_picker(gettext_lazy("Item"))
    attribute_value = AttributeValueChoice(
        label=gettext_lazy("Variant attribute"),
        queryset=ItemAttributeValue.objects.select_related("attribute"),
        required=False,
        help_text=gettext_lazy("The variants with this value, e.g. the red ones."),
    )

    class Meta:
        model = PricingRule
        fields = [
            "code", "name", "action", "value", "price_list", "priority", "stop_others",
            "active", "customer", "customer_group", "territory", "item", "item_group",
            "attribute_value", "min_quantity", "min_amount", "valid_from", "valid_to", "currency",
            "channel", "partner",
        ]  # fmt: skip
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action = self.data.get("action") if self.is_bound else self.instance.action
        value = self.fields["value"]
        value.label = VALUE_LABELS.get(action, value.label)
        value.help_text = _("Choosing the action tells what this value is.")
        labels = {key: str(label) for key, label in VALUE_LABELS.items()}
        self.fields["action"].widget.attrs["data-value-labels"] = json.dumps(labels)
        self.fields["priority"].widget.attrs["inputmode"] = "numeric"
        for name in ZERO_WHEN_EMPTY:
            self.fields[name].required = False
        if self.instance.pk and not self.is_bound:  # 10,5 rather than 10,5000
            for name in ("value", "min_quantity"):
                self.initial[name] = format_quantity(getattr(self.instance, name), grouped=False)
        for name in ("customer", "item"):  # the pickers hold a code, not an id
            chosen = getattr(self.instance, name) if self.instance.pk else None
            if chosen is not None:
                self.initial[name] = chosen.code

    def clean(self):
        data = super().clean()
        for name in ZERO_WHEN_EMPTY:
            if name in data and data[name] is None:
                data[name] = 0  # no priority, no minimum
        return data


ZERO_WHEN_EMPTY = ("priority", "min_quantity", "min_amount")


class PromotionForm(forms.ModelForm):
    """A promotion as Settings shows it; a bundle's components one per line: the item's code
    and its quantity (« CHAISE 2 »)."""

    item = item_picker(gettext_lazy("Item bought"))
    reward_item = item_picker(
        gettext_lazy("Item given"), help_text=gettext_lazy("Empty: the item bought.")
    )
    components = forms.CharField(
        label=gettext_lazy("Components of a set"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For a bundle: one item per line, its code then its quantity."),
    )

    class Meta:
        model = Promotion
        fields = [
            "code", "name", "kind", "active", "priority", "valid_from", "valid_to",
            "customer_group", "territory", "channel", "item", "item_group", "quantity",
            "reward_item", "reward_quantity", "reward_discount_pct", "min_amount",
            "min_quantity", "discount_pct", "discount_amount", "set_price",
        ]  # fmt: skip
        labels = {"active": gettext_lazy("In use (untick to switch it off)")}
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}

    # Only a buy X get Y states them: left empty for the other kinds.
    OPTIONAL = {"quantity": "0", "reward_quantity": "0", "reward_discount_pct": "100"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL:
            self.fields[name].required = False
        if self.instance.pk:
            self.initial["components"] = "\n".join(
                f"{c.item.code} {format_quantity(c.quantity, grouped=False)}"
                for c in self.instance.components.select_related("item")
            )

    def clean(self):
        data = super().clean()
        for name, default in self.OPTIONAL.items():
            if data.get(name) is None and name not in self.errors:
                data[name] = Decimal(default)
                setattr(self.instance, name, Decimal(default))
        return data

    def clean_components(self):
        """(item, quantity) pairs, or None for a promotion that is not a bundle."""
        text = self.cleaned_data.get("components", "")
        rows = [row.split() for row in text.splitlines() if row.strip()]
        codes = {row[0] for row in rows}
        items = {item.code: item for item in Item.objects.filter(code__in=codes)}
        read = []
        for row in rows:
            item = items.get(row[0])
            if item is None:
                raise forms.ValidationError(
                    _("No item has the code « %(code)s ».") % {"code": row[0]}
                )
            try:
                quantity = parse_decimal(row[1] if len(row) > 1 else "1", field="components")
            except BusinessError as error:
                raise forms.ValidationError(error.message) from None
            read.append((item, quantity))
        return read if self.data.get("kind") == "bundle" or read else []


COUPON_FORM_FIELDS = [
    "name", "description", "campaign", "reward", "value", "minimum_amount", "valid_from",
    "valid_to", "max_uses", "max_uses_per_customer", "customer", "active",
]  # fmt: skip


class CouponForm(forms.ModelForm):
    customer = forms.ModelChoiceField(
        label=gettext_lazy("For the customer"),
        queryset=Customer.objects.all(),
        to_field_name="code",
        required=False,
        widget=SearchPicker("parties:customer_options"),
        help_text=gettext_lazy("Empty: for every customer."),
    )

    class Meta:
        model = Coupon
        fields = ["code", *COUPON_FORM_FIELDS]
        labels = {"active": gettext_lazy("In use (untick to switch it off)")}
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}


class CouponBatchForm(forms.ModelForm):
    """Codes generated together: a prefix, how many, and the settings they share."""

    prefix = forms.CharField(
        label=gettext_lazy("Prefix"),
        max_length=20,
        help_text=gettext_lazy("The start of every code, e.g. NOEL-."),
    )
    count = forms.IntegerField(
        label=gettext_lazy("Number of codes"), min_value=1, max_value=10_000, initial=100
    )
    customer = CouponForm.base_fields["customer"]

    class Meta:
        model = Coupon
        fields = COUPON_FORM_FIELDS
        labels = {"active": gettext_lazy("In use (untick to switch it off)")}
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}

    field_order = ["prefix", "count", *COUPON_FORM_FIELDS]
