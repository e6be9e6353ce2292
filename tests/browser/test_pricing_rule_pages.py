"""A shop owner sets a discount for her retailers on coffee from Settings: the form says what
the value is for the action she chose, and the list says the rule in words."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from comptoir.catalog.models import ItemGroup
from comptoir.parties.models import CustomerGroup
from comptoir.pricing.models import PricingRule
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"


def test_a_rule_made_from_its_page_shows_in_the_list_in_words(page, clerk, screenshot):
    CustomerGroup.objects.create(name="Détaillants")
    ItemGroup.objects.create(name="Cafés")
    log_in(page)

    page.hover("nav.areas >> text=Paramètres")
    page.click("nav.areas .menu >> text=Règles de prix")
    page.click("text=Nouvelle règle")
    page.fill("#id_code", "CAFE10")
    page.fill("#id_name", "Cafés pour les détaillants")
    # The value's label follows the action chosen.
    page.select_option("#id_action", "fixed_price")
    expect(page.locator("label", has=page.locator("#id_value"))).to_contain_text("Prix HT")
    page.select_option("#id_action", "discount_pct")
    expect(page.locator("label", has=page.locator("#id_value"))).to_contain_text("Remise %")
    page.fill("#id_value", "10,5")
    page.select_option("#id_customer_group", label="Détaillants")
    page.select_option("#id_item_group", label="Cafés")
    page.fill("#id_min_quantity", "10")
    screenshot("pricing-rule-form")
    page.click("main button[type=submit]")

    expect(page.locator("main")).to_contain_text(
        f"Règle «{NBSP}Cafés pour les détaillants{NBSP}» enregistrée"
    )
    row = page.locator("table.list tbody tr", has_text="CAFE10")
    conditions = f"Groupe de clients{NBSP}: Détaillants · Groupe d’articles{NBSP}: Cafés"
    expect(row).to_contain_text(f"{conditions} · dès 10{NBSP}unités")
    expect(row).to_contain_text(f"Remise 10,5{NBSP}%")
    screenshot("pricing-rules")
    assert PricingRule.objects.get(code="CAFE10").value == Decimal("10.5")

    # Its page sums it up, switches it off, and its history says who did it.
    row.locator("a", has_text="CAFE10").click()
    expect(page.locator("#rule-summary")).to_contain_text(f"→ Remise 10,5{NBSP}%")
    page.click("#rule-actions >> text=Désactiver")
    expect(page.locator("main")).to_contain_text(
        f"Règle «{NBSP}Cafés pour les détaillants{NBSP}» désactivée"
    )
    expect(page.locator("#rule-actions")).to_contain_text("Activer")
    expect(page.locator("#history")).to_contain_text("claire")
    screenshot("pricing-rule")
    assert PricingRule.objects.get(code="CAFE10").active is False
