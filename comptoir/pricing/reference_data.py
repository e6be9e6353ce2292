"""The reference rows every French company needs: VAT rates with their EN 16931 categories,
common payment terms. Loaded by a migration, so every database has them."""

from decimal import Decimal

TAXES = [
    # code, name, rate, category, exemption reason (printed), VATEX code (BT-121)
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
    (
        "AUTOLIQ",
        "Autoliquidation",
        "0.00",
        "AE",
        "Autoliquidation, art. 283-2 du CGI",
        "VATEX-EU-AE",
    ),
    (
        "AUTOLIQ-BTP",
        "Autoliquidation (sous-traitance BTP)",
        "0.00",
        "AE",
        "Autoliquidation, art. 283-2 nonies du CGI",
        "VATEX-FR-AE",
    ),
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
    (
        "EXO-FORMATION",
        "Exonéré (formation professionnelle)",
        "0.00",
        "E",
        "Exonération de TVA, art. 261-4-4° a du CGI",
        "VATEX-FR-CGI261-4",
    ),
    (
        "EXO-MEDICAL",
        "Exonéré (soins médicaux)",
        "0.00",
        "E",
        "Exonération de TVA, art. 261-4-1° du CGI",
        "VATEX-FR-CGI261-4",
    ),
    (
        "EXO-FINANCE",
        "Exonéré (opérations financières)",
        "0.00",
        "E",
        "Exonération de TVA, art. 261 C du CGI",
        "VATEX-FR-CGI261C-1",
    ),
]
# The exemption text shipped before the article was stated, replaced where it is unchanged.
FORMER_TEXTS = {"AUTOLIQ": "Autoliquidation"}

# The CEF VATEX code list (BT-121) as the EN 16931 rules check it (BR-CL-22), with the
# category each code belongs to: reverse charge, intra-EU supply, export, outside the scope,
# and exempt for every other one.
_VATEX_LIST = """
VATEX-EU-79-C VATEX-EU-132 VATEX-EU-132-1A VATEX-EU-132-1B VATEX-EU-132-1C VATEX-EU-132-1D
VATEX-EU-132-1E VATEX-EU-132-1F VATEX-EU-132-1G VATEX-EU-132-1H VATEX-EU-132-1I VATEX-EU-132-1J
VATEX-EU-132-1K VATEX-EU-132-1L VATEX-EU-132-1M VATEX-EU-132-1N VATEX-EU-132-1O VATEX-EU-132-1P
VATEX-EU-132-1Q VATEX-EU-135-1 VATEX-EU-143 VATEX-EU-143-1A VATEX-EU-143-1B VATEX-EU-143-1C
VATEX-EU-143-1D VATEX-EU-143-1E VATEX-EU-143-1F VATEX-EU-143-1FA VATEX-EU-143-1G VATEX-EU-143-1H
VATEX-EU-143-1I VATEX-EU-143-1J VATEX-EU-143-1K VATEX-EU-143-1L VATEX-EU-144 VATEX-EU-146-1E
VATEX-EU-159 VATEX-EU-309 VATEX-EU-148 VATEX-EU-148-A VATEX-EU-148-B VATEX-EU-148-C
VATEX-EU-148-D VATEX-EU-148-E VATEX-EU-148-F VATEX-EU-148-G VATEX-EU-151 VATEX-EU-151-1A
VATEX-EU-151-1AA VATEX-EU-151-1B VATEX-EU-151-1C VATEX-EU-151-1D VATEX-EU-151-1E VATEX-EU-G
VATEX-EU-O VATEX-EU-IC VATEX-EU-AE VATEX-EU-D VATEX-EU-F VATEX-EU-I VATEX-EU-J
VATEX-FR-FRANCHISE VATEX-FR-CNWVAT VATEX-EU-153 VATEX-FR-CGI261-1 VATEX-FR-CGI261-2
VATEX-FR-CGI261-3 VATEX-FR-CGI261-4 VATEX-FR-CGI261-5 VATEX-FR-CGI261-7 VATEX-FR-CGI261-8
VATEX-FR-CGI261A VATEX-FR-CGI261B VATEX-FR-CGI261C-1 VATEX-FR-CGI261C-2 VATEX-FR-CGI261C-3
VATEX-FR-CGI261D-1 VATEX-FR-CGI261D-1BIS VATEX-FR-CGI261D-2 VATEX-FR-CGI261D-3
VATEX-FR-CGI261D-4 VATEX-FR-CGI261E-1 VATEX-FR-CGI261E-2 VATEX-FR-CGI277A VATEX-FR-CGI275
VATEX-FR-298SEXDECIESA VATEX-FR-CGI295 VATEX-FR-AE
"""
VATEX_CODES = tuple(_VATEX_LIST.split())
NOT_EXEMPT = {
    "VATEX-EU-AE": "AE",
    "VATEX-FR-AE": "AE",
    "VATEX-EU-IC": "K",
    "VATEX-EU-G": "G",
    "VATEX-EU-O": "O",
}
VATEX_CATEGORIES = {code: NOT_EXEMPT.get(code, "E") for code in VATEX_CODES}


def vatex_category(code: str) -> str:
    """The EN 16931 VAT category a VATEX code belongs to."""
    return VATEX_CATEGORIES[code]


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
    reasons = {row[0]: row[4] for row in TAXES}
    for code, former in FORMER_TEXTS.items():
        unchanged = Tax.objects.filter(code=code, exemption_reason=former)
        unchanged.update(exemption_reason=reasons[code])
    for code, name, days, end_of_month in PAYMENT_TERMS:
        PaymentTerms.objects.get_or_create(
            code=code, defaults={"name": name, "days": days, "end_of_month": end_of_month}
        )
    for code, name in UNITS:
        Unit.objects.get_or_create(code=code, defaults={"name": name})
