from enum import StrEnum


class PricingError(StrEnum):
    NO_LINES = "document.no_lines"
    ITEM_INACTIVE = "line.item_inactive"
    ITEM_IS_TEMPLATE = "line.item_is_template"
    QUANTITY_NOT_POSITIVE = "line.quantity_not_positive"
    PRICE_NEGATIVE = "line.price_negative"
    DISCOUNT_OUT_OF_RANGE = "line.discount_out_of_range"
    DESCRIPTION_MISSING = "line.description_missing"
    TAX_MISSING = "line.tax_missing"
    TAX_ARCHIVED = "line.tax_archived"
    TAX_IN_USE = "tax.in_use"
    FRANCHISE_WITH_VAT_ID = "tax.franchise_with_vat_id"
