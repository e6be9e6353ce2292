"""The README's table of what each role may do is what the shipped roles grant: a role, a
line of the table or a permission changed on one side only fails here."""

from pathlib import Path

import pytest

from comptoir.core.roles import ROLES
from conftest import make_user

README = Path(__file__).resolve().parents[3] / "README.md"

# Each line of the table: the permissions it means (a role may it when it holds all of them).
MEANS = {
    "create customers, quotations and orders": (
        "parties.add_customer",
        "sales.add_quotation",
        "sales.add_salesorder",
    ),
    "deliver and count stock": ("stock.add_deliverynote", "stock.add_stockmove"),
    "receive purchase orders": ("purchasing.receive_purchaseorder",),
    "create suppliers and purchase orders": (
        "purchasing.add_supplier",
        "purchasing.add_purchaseorder",
        "purchasing.change_purchaseorder",
    ),
    "create, issue and credit invoices": (
        "billing.add_invoice",
        "billing.issue_invoice",
        "billing.credit_invoice",
    ),
    "register payments and export the FEC": ("payments.add_payment", "payments.export_accounting"),
    "import partner files": ("imports.add_importbatch",),
    "see invoices": ("billing.view_invoice",),
    "see cost prices and margins": ("catalog.see_costs",),
    "see the pricing rules": ("pricing.view_pricingrule",),
    "change the pricing rules": (
        "pricing.add_pricingrule",
        "pricing.change_pricingrule",
        "pricing.delete_pricingrule",
    ),
    "sell under the minimum margin": ("pricing.sell_below_minimum_margin",),
    "change the company settings, users and roles": (
        "core.change_company",
        "auth.change_user",
        "auth.change_group",
    ),
}


def readme_table() -> tuple[list[str], dict[str, set[str]]]:
    """(the roles heading the columns, each line's text → the roles marked ``yes``)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| may | "))
    roles = [cell.strip() for cell in lines[start].strip("|").split("|")][1:]
    table = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        marks = zip(roles, cells[1:], strict=True)
        table[cells[0]] = {role for role, cell in marks if cell == "yes"}
    return roles, table


def test_the_readme_table_names_every_shipped_role_and_only_known_lines():
    roles, table = readme_table()
    assert roles == [role.name for role in ROLES]
    assert set(table) == set(MEANS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role.name for role in ROLES])
def test_each_shipped_role_grants_what_the_readme_says(role):
    _roles, table = readme_table()
    user = make_user("someone", role)
    problems = []
    for line, permissions in MEANS.items():
        holds = all(user.has_perm(permission) for permission in permissions)
        if holds != (role in table[line]):
            problems.append(f"{line!r}: the README says {role in table[line]}, the role {holds}")
    assert problems == [], "\n".join(problems)
