"""The reference rows every French company needs: VAT rates with their EN 16931 categories,
common payment terms. Loaded by a migration, so every database has them."""

from decimal import Decimal

TAXES = [
    # code, name, rate, category, exemption reason, VATEX code
    ("TVA20", "TVA 20 %", "20.00", "S", "", ""),
    ("TVA10", "TVA 10 %", "10.00", "S", "", ""),
    ("TVA55", "TVA 5,5 %", "5.50", "S", "", ""),
    ("TVA21", "TVA 2,1 %", "2.10", "S", "", ""),
    ("TVA0", "TVA 0 %", "0.00", "Z", "", ""),
    (
        "EXO",
        "Exonéré (franchise en base)",
        "0.00",
        "E",
        "TVA non applicable, art. 293 B du CGI",
        "VATEX-FR-FRANCHISE",
    ),
    ("AUTOLIQ", "Autoliquidation", "0.00", "AE", "Autoliquidation", "VATEX-EU-AE"),
    (
        "INTRACOM",
        "Livraison intracommunautaire",
        "0.00",
        "K",
        "Exonération de TVA, article 262 ter I du CGI",
        "VATEX-EU-IC",
    ),
    (
        "EXPORT",
        "Exportation hors UE",
        "0.00",
        "G",
        "Exonération de TVA, article 262 I du CGI",
        "VATEX-EU-G",
    ),
]

# The VAT collected account of each rate (PCG 44571, one sub-account per rate).
TAX_ACCOUNTS = {"TVA20": "445711", "TVA10": "445712", "TVA55": "445713", "TVA21": "445714"}

PAYMENT_TERMS = [
    # code, name, days, end of month
    ("RECEPTION", "À réception", 0, False),
    ("30J", "30 jours", 30, False),
    ("30JFM", "30 jours fin de mois", 30, True),
    ("45JFM", "45 jours fin de mois", 45, True),
    ("60J", "60 jours", 60, False),
]

UNITS = [
    ("C62", "Unité"),
    ("HUR", "Heure"),
    ("DAY", "Jour"),
    ("KGM", "Kilogramme"),
    ("MTR", "Mètre"),
    ("LTR", "Litre"),
    ("SET", "Lot"),
]


def load(apps, schema_editor=None) -> None:
    Tax = apps.get_model("pricing", "Tax")
    PaymentTerms = apps.get_model("pricing", "PaymentTerms")
    Unit = apps.get_model("catalog", "Unit")
    has_account = any(f.name == "account" for f in Tax._meta.fields)  # not in early migrations
    for code, name, rate, category, reason, reason_code in TAXES:
        defaults = {
            "name": name,
            "rate": Decimal(rate),
            "category": category,
            "exemption_reason": reason,
            "exemption_reason_code": reason_code,
        }
        if has_account:
            defaults["account"] = TAX_ACCOUNTS.get(code, "445710")
        Tax.objects.get_or_create(code=code, defaults=defaults)
    for code, name, days, end_of_month in PAYMENT_TERMS:
        PaymentTerms.objects.get_or_create(
            code=code, defaults={"name": name, "days": days, "end_of_month": end_of_month}
        )
    for code, name in UNITS:
        Unit.objects.get_or_create(code=code, defaults={"name": name})
