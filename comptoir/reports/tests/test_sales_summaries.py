"""The sales summaries follow every issued invoice and credit note exactly: each pivot's
figures equal a recomputation from the invoice lines, whatever was issued in what order."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.catalog.models import ItemGroup
from comptoir.parties.models import CustomerGroup, Territory
from comptoir.pricing.engine import LineSpec
from comptoir.reports import facts, queries
from comptoir.reports.models import GRAINS
from tests.factories import CustomerFactory, ItemFactory

D = Decimal
pytestmark = pytest.mark.django_db
DAYS = [dt.date(2025, 11, 3), dt.date(2025, 12, 30), dt.date(2026, 1, 2), dt.date(2026, 11, 20)]


@pytest.fixture
def world(company, user):
    groups = [CustomerGroup.objects.create(name=n) for n in ("Restaurants", "Boutiques")]
    territory = Territory.objects.create(name="Rhône")
    item_groups = [ItemGroup.objects.create(name=n) for n in ("Textile", "Vaisselle")]
    customers = [
        CustomerFactory(group=groups[0], territory=territory, salesperson=user),
        CustomerFactory(group=groups[1]),
        CustomerFactory(),
    ]
    items = [
        ItemFactory(group=item_groups[0], sale_price=D("24.90"), cost_price=D("11.3333")),
        ItemFactory(group=item_groups[1], sale_price=D("3.07"), cost_price=D("1.115")),
        ItemFactory(group=None, sale_price=D("0.10"), cost_price=D("0.0449")),
    ]
    return customers, items


def expected(rows: str, start: dt.date, end: dt.date, filters: dict) -> dict:
    """Net cents, cost cents, thousandths and invoices per row value, from the lines."""
    lookups = {**queries.LINE_LOOKUPS}
    found = defaultdict(lambda: [0, 0, 0, set()])
    lines = InvoiceLine.objects.filter(
        invoice__status=Invoice.Status.ISSUED,
        invoice__date__gte=start,
        invoice__date__lt=queries.shift(end, 1),
        **{lookups[name]: value for name, value in filters.items()},
    ).select_related("item", "invoice", "invoice__customer")
    for line in lines:
        sign = line.invoice.sign
        key = _value(line, rows)
        sums = found[key]
        sums[0] += sign * int(line.net_amount * 100)
        sums[1] += sign * int(line.cost_amount * 100)
        sums[2] += sign * int(line.quantity * 1000)
        if line.invoice.kind != Invoice.Kind.CREDIT_NOTE:
            sums[3].add(line.invoice_id)
    return {key: (n, c, q, len(i)) for key, (n, c, q, i) in found.items()}


def _value(line, dimension: str):
    customer = line.invoice.customer
    return {
        "customer": customer.pk,
        "customer_group": customer.group_id,
        "territory": customer.territory_id,
        "salesperson": customer.salesperson_id,
        "sales_partner": customer.sales_partner_id,
        "item": line.item_id,
        "item_group": line.item.group_id if line.item_id else None,
    }[dimension]


def pivoted(rows: str, start, end, filters: dict) -> dict:
    query = queries.SalesQuery(rows, "month", start, end, tuple(filters.items()))
    result = queries.pivot(query)
    got = {
        row.key: (row.total.net_cents, row.total.cost_cents, row.total.quantity_milli,
                  row.total.invoices)
        for row in result.rows
    }  # fmt: skip
    for row in result.rows:  # the cells add up to the row
        cells = queries.Figures()
        for figures in row.cells.values():
            cells.add(figures)
        assert cells.net_cents == row.total.net_cents
    # A page's pivot (cells for its first row only) has the same totals and first row.
    page = queries.pivot(query, limit=1)
    assert page.total == result.total and page.totals == result.totals
    if result.rows:
        assert page.rows[0].cells == result.rows[0].cells
    return {key: sums for key, sums in got.items() if any(sums)}


documents = st.lists(
    st.tuples(
        st.integers(0, 2),  # customer
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 7)), min_size=1, max_size=3),
        st.sampled_from(DAYS),
        st.sampled_from([None, "all", "part"]),  # then credited
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents=documents)
def test_every_pivot_equals_the_invoice_lines(world, documents):
    with transaction.atomic():  # each example from the same empty books
        _check_every_pivot(world, documents)
        transaction.set_rollback(True)


def _check_every_pivot(world, documents):
    customers, items = world
    # Numbers follow the dates: the documents in the order of their days.
    for customer, lines, day, credit in sorted(documents, key=lambda d: d[2]):
        invoice = billing.create_invoice(
            customers[customer], [LineSpec(items[i], D(q)) for i, q in lines]
        )
        # Several at once, as an import issues them: the summaries take them in one go.
        (invoice,) = billing.issue_invoices([invoice], day=day)
        if credit:
            first = invoice.lines.order_by("pk").first()
            quantities = None if credit == "all" else {first.pk: D(1)}
            note = billing.credit_invoice(invoice, quantities)
            billing.issue_invoices([note], day=day)
    start, end = dt.date(2025, 11, 1), dt.date(2026, 12, 1)
    group = customers[0].group_id
    cases = [
        (rows, {})
        for rows in ("customer", "customer_group", "territory", "item", "item_group",
                     "salesperson", "sales_partner")
    ] + [
        ("item_group", {"customer_group": group}),
        ("customer", {"item_group": items[0].group_id}),
        ("item", {"territory": customers[0].territory_id}),
        ("customer_group", {"salesperson": customers[0].salesperson_id}),
    ]  # fmt: skip
    for rows, filters in cases:
        want = {k: v for k, v in expected(rows, start, end, filters).items() if any(v)}
        assert pivoted(rows, start, end, filters) == want, (rows, filters)
    # A month alone, and the year before of a later window.
    assert pivoted("item", DAYS[1].replace(day=1), DAYS[1].replace(day=1), {}) == {
        k: v
        for k, v in expected("item", DAYS[1].replace(day=1), DAYS[1].replace(day=1), {}).items()
        if any(v)
    }
    assert facts.differences() == []
    # The rebuild finds the same sums.
    before = {g: sorted(g.objects.values_list("month", "net", "cost", "invoices")) for g in GRAINS}
    facts.rebuild()
    after = {g: sorted(g.objects.values_list("month", "net", "cost", "invoices")) for g in GRAINS}
    assert after == before


def test_the_check_finds_a_wrong_sum_and_the_rebuild_mends_it(world):
    customers, items = world
    billing.issue_invoice(billing.create_invoice(customers[0], [LineSpec(items[0], D(3))]))
    call_command("reports", "check")
    row = GRAINS[0].objects.get()
    GRAINS[0].objects.filter(pk=row.pk).update(net=row.net + 1)
    with pytest.raises(CommandError, match="differ from the invoice lines") as refused:
        call_command("reports", "check")
    assert refused.value.returncode == 1
    call_command("reports", "rebuild")
    call_command("reports", "check")


def test_issuing_many_invoices_reads_each_summary_once(world, django_assert_max_num_queries):
    customers, items = world
    drafts = [
        billing.create_invoice(customers[n % 3], [LineSpec(items[n % 3], D(n + 1))])
        for n in range(30)
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        billing.issue_invoices(drafts)
    summaries = [q for q in captured.captured_queries if "reports_sales" in q["sql"]]
    # Per grain: one read, one insert (no update: the rows are new).
    assert len(summaries) <= 2 * len(GRAINS)


def test_a_customer_moved_to_another_group_keeps_its_past_sales_in_the_old_one(world):
    customers, items = world
    customer = customers[0]
    old_group = customer.group_id
    billing.issue_invoice(billing.create_invoice(customer, [LineSpec(items[0], D(2))]))
    customer.group = CustomerGroup.objects.get(name="Boutiques")
    customer.save()
    billing.issue_invoice(billing.create_invoice(customer, [LineSpec(items[0], D(1))]))
    month = timezone.localdate().replace(day=1)
    by_group = pivoted("customer_group", month, month, {})
    assert by_group[old_group][0] == 2 * 2490 and by_group[customer.group_id][0] == 2490
    assert facts.differences() == []
    facts.rebuild()
    assert pivoted("customer_group", month, month, {}) == by_group


def test_document_discounts_and_charges_count_as_the_dashboard_counts_them(world):
    """A document's discounts are shared out between its lines of their VAT rate, its charges
    (shipping…) count beside the items: each month's net sales are its documents' net totals,
    the figure the dashboard shows, and the items' sales take their share of the discount."""
    customers, items = world
    draft = billing.create_invoice(
        customers[0],
        [LineSpec(items[0], D(3)), LineSpec(items[1], D(7)), LineSpec(items[2], D(1))],
        allowances_charges=[
            {"percent": "10", "reason": "Remise 10 %"},
            {
                "amount": "9.90",
                "is_charge": True,
                "reason": "Port",
                "vat_category": "S",
                "vat_rate": "20.00",
            },
        ],
    )
    (invoice,) = billing.issue_invoices([draft], day=DAYS[3])
    first, second, _third = invoice.lines.order_by("pk")
    (note,) = billing.issue_invoices(
        [billing.credit_invoice(invoice, {first.pk: D(1)})], day=DAYS[3]
    )
    month = DAYS[3].replace(day=1)
    want = int((invoice.total_net - note.total_net) * 100)
    by_customer = pivoted("customer", month, month, {})
    assert by_customer[customers[0].pk][0] == want  # what the dashboard counts
    by_item = pivoted("item", month, month, {})
    assert sum(figures[0] for figures in by_item.values()) == want
    # The shipping has no item; the items' sales are their lines less the 10 %.
    assert by_item[None][0] == int((invoice.total_charges - note.total_charges) * 100)
    assert abs(by_item[second.item_id][0] - int(second.net_amount * D("90"))) <= 1
    lines_less_discount = (invoice.total_lines - invoice.total_allowances) - (
        note.total_lines - note.total_allowances
    )
    assert sum(v[0] for k, v in by_item.items() if k is not None) == int(lines_less_discount * 100)
    # The drill-down of the month finds the same total, and the check finds no difference.
    drilled = queries.drill({"start": month.isoformat(), "end": month.isoformat()})
    assert drilled.total.net_cents == want
    assert facts.differences() == []


def test_an_invoice_of_several_items_is_one_invoice_in_the_totals(world):
    """By item or item group, an invoice of three items is in three rows, but the totals
    count it once, in the month's column and in the year before's."""
    customers, items = world
    for day in (DAYS[0], DAYS[3]):  # November 2025 and 2026
        draft = billing.create_invoice(customers[0], [LineSpec(item, D(2)) for item in items])
        billing.issue_invoices([draft], day=day)
    month = DAYS[3].replace(day=1)
    for rows in ("item", "item_group"):
        result = queries.pivot(queries.SalesQuery(rows, "month", month, month, ()))
        assert [row.total.invoices for row in result.rows] == [1] * len(result.rows)
        assert len(result.rows) > 1
        assert result.total.invoices == 1 == result.totals[month].invoices
        assert result.previous.invoices == 1
