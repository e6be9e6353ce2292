import pytest

from comptoir.core.errors import BusinessError
from comptoir.parties import services
from comptoir.parties.queries import document_header

pytestmark = pytest.mark.django_db


def test_identifiers_are_validated_and_compacted(company):
    customer = services.create_customer(
        name="Garage Leroy",
        siret="732 829 320 00074",
        vat_id="fr 44 732829320",
        addresses=[{"line1": "1 rue A", "city": "Lyon", "postal_code": "69001"}],
    )
    assert customer.siret == "73282932000074"
    assert customer.siren == "732829320"
    assert customer.vat_id == "FR44732829320"
    assert customer.code.startswith("C")


@pytest.mark.parametrize(
    ("field", "value"),
    [("siren", "732829321"), ("siret", "73282932000075"), ("vat_id", "FR12345678901")],
)
def test_wrong_identifiers_are_refused(company, field, value):
    with pytest.raises(BusinessError) as error:
        services.create_customer(name="X", **{field: value})
    assert error.value.field == field


def test_documents_copy_the_customer_as_it_was(company):
    customer = services.create_customer(
        name="Atelier Simon",
        addresses=[
            {"kind": "billing", "line1": "1 rue A", "city": "Lyon"},
            {"kind": "shipping", "line1": "9 quai B", "city": "Vienne"},
        ],
    )
    header = document_header(customer)
    assert header["billing_address"]["line1"] == "1 rue A"
    assert header["shipping_address"]["city"] == "Vienne"
    services.update_customer(customer, name="Atelier Simon & fils")
    assert header["customer_name"] == "Atelier Simon"


def test_a_negative_credit_limit_is_refused(company):
    from decimal import Decimal

    with pytest.raises(BusinessError) as error:
        services.create_customer(name="X", credit_limit=Decimal("-5000"))
    assert error.value.field == "credit_limit"
    customer = services.create_customer(name="Y", credit_limit=Decimal("0"))
    assert customer.credit_limit == 0
