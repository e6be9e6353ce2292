from datetime import date
from decimal import Decimal

import pytest

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.billing.queries import settlements
from comptoir.core.errors import BusinessError
from comptoir.core.services import update_company
from comptoir.payments import services
from comptoir.payments.queries import unallocated_amount
from comptoir.pricing.engine import LineSpec
from comptoir.sales import services as sales
from comptoir.sales.models import Quotation
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_one_payment_settles_several_invoices_oldest_first_and_keeps_the_rest(company):
    customer, item = CustomerFactory(), ItemFactory(sale_price=D("100"))
    first = billing.issue_invoice(billing.create_invoice(customer, [LineSpec(item, 1)]))
    second = billing.issue_invoice(billing.create_invoice(customer, [LineSpec(item, 2)]))
    payment = services.register_payment(customer, D("400.00"))  # 120 + 240 owed
    assert settlements([first.pk])[first.pk].outstanding == D("0.00")
    assert settlements([second.pk])[second.pk].outstanding == D("0.00")
    assert unallocated_amount(payment) == D("40.00")

    third = billing.issue_invoice(billing.create_invoice(customer, [LineSpec(item, 1)]))
    services.allocate_payment(payment, [(third, D("40.00"))])
    assert settlements([third.pk])[third.pk].outstanding == D("80.00")
    assert unallocated_amount(payment) == D("0.00")
    with pytest.raises(BusinessError) as error:
        services.allocate_payment(payment, [(third, D("1.00"))])
    assert error.value.code == "payment.allocations_exceed_amount"


def test_a_draft_or_another_customers_invoice_cannot_be_paid(company):
    customer, item = CustomerFactory(), ItemFactory()
    draft = billing.create_invoice(customer, [LineSpec(item, 1)])
    with pytest.raises(BusinessError) as error:
        services.register_payment(customer, D("5"), allocations=[(draft, D("5"))])
    assert error.value.code == "payment.invoice_not_payable"
    other = billing.issue_invoice(billing.create_invoice(CustomerFactory(), [LineSpec(item, 1)]))
    with pytest.raises(BusinessError) as error:
        services.register_payment(customer, D("5"), allocations=[(other, D("5"))])
    assert error.value.code == "payment.invoice_of_another_customer"


def test_sent_quotations_past_their_validity_expire(company):
    quotation = sales.create_quotation(
        CustomerFactory(),
        [LineSpec(ItemFactory(), 1)],
        date=date(2026, 1, 2),
        valid_until=date(2026, 1, 31),
    )
    sales.send_quotation(quotation)
    assert sales.expire_quotations(today=date(2026, 1, 31)) == 0
    assert sales.expire_quotations(today=date(2026, 2, 1)) == 1
    quotation.refresh_from_db()
    assert quotation.status == Quotation.Status.EXPIRED
    with pytest.raises(BusinessError):
        sales.accept_quotation(quotation)


def test_company_identifiers_are_validated(company):
    with pytest.raises(BusinessError) as error:
        update_company(iban="FR76 3000 6000 0112 3456 7890 188")
    assert error.value.field == "iban"
    with pytest.raises(BusinessError) as error:
        update_company(siret="55210055400014")
    assert error.value.field == "siret"
    updated = update_company(iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP")
    assert updated.iban == "FR7630006000011234567890189"


def test_stored_settlements_follow_payments_and_credit_notes(company):
    """What each invoice stores (paid, credited, due) is what its lineage says, at every step."""
    customer, item = CustomerFactory(), ItemFactory(sale_price=D("50"))
    invoices = [
        billing.issue_invoice(billing.create_invoice(customer, [LineSpec(item, n)]))
        for n in (1, 2, 3)
    ]

    def check():
        truth = settlements([i.pk for i in invoices])
        stored = {i.pk: Invoice.objects.get(pk=i.pk) for i in invoices}
        for pk, settlement in truth.items():
            row = stored[pk]
            assert (row.amount_paid, row.amount_credited, row.amount_due) == (
                settlement.paid,
                settlement.credited,
                settlement.outstanding,
            )
        return [truth[i.pk].outstanding for i in invoices]

    assert check() == [D("60.00"), D("120.00"), D("180.00")]
    payment = services.register_payment(customer, D("100.00"))  # 60, then 40 of 120
    assert check() == [D("0.00"), D("80.00"), D("180.00")]
    billing.issue_invoice(billing.credit_invoice(invoices[2], {invoices[2].lines.get().pk: 1}))
    assert check() == [D("0.00"), D("80.00"), D("120.00")]
    services.register_payment(customer, D("30.00"), allocations=[(invoices[2], D("30.00"))])
    assert check() == [D("0.00"), D("80.00"), D("90.00")]
    assert unallocated_amount(payment) == D("0.00")
