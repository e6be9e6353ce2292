"""Outside a caller's transaction, the next chunk is planned on a second connection while the
current one is written (SQLite) or commits (PostgreSQL): the documents, customers and items
come out as the plain run makes them, once each; a plan catches up with what the chunks
before it created, and a plan that no longer holds is made again."""

import threading

import pytest
from django.apps import apps

from comptoir.billing.models import Invoice
from comptoir.catalog.models import Item
from comptoir.imports.models import ImportRow
from comptoir.imports.services import processing
from comptoir.parties.models import Customer
from comptoir.pricing import reference_data

from .conftest import csv_file, run

pytestmark = pytest.mark.django_db(transaction=True)


def line(ref: str, customer: str, item: str) -> str:
    return (
        f"{ref};15/03/2026;{customer};Client {customer};{customer.lower()}@exemple.fr;"
        f"1 rue A;69001;Lyon;{item};Article {item};2;10,00;20;;;"
    )


@pytest.fixture(autouse=True)
def reference_rows(transactional_db):
    """Taxes, units and payment terms: an earlier transactional test may have flushed them."""
    reference_data.load(apps)


@pytest.fixture
def spied(monkeypatch):
    """Chunks of two documents, and what each chunk did with the plan made ahead."""
    monkeypatch.setattr(processing, "DOCUMENTS_PER_CHUNK", 2)
    used = []
    take = processing._PlanAhead.take

    def spy(self, refs):
        planned = take(self, refs)
        used.append(planned is not None)
        return planned

    monkeypatch.setattr(processing._PlanAhead, "take", spy)
    return used


def test_chunks_planned_ahead_make_each_document_customer_and_item_once(partner, spied):
    # C1 and I1, created in the first chunk, come back in the third: the plan made ahead
    # must match them, not create them again.
    rows = [
        line("R1", "C1", "I1"),
        line("R2", "C2", "I2"),
        line("R3", "C3", "I3"),
        line("R4", "C2", "I1"),
        line("R5", "C1", "I2"),
        line("R6", "C4", "I4"),
        line("R7", "C1", "I1"),
    ]
    batch, report = run(partner, csv_file(*rows))
    assert report.documents_created == 7 and report.failed_rows == 0
    assert spied[1:] and all(spied[1:])  # every chunk but the first was planned ahead
    assert Invoice.objects.filter(status=Invoice.Status.ISSUED).count() == 7
    assert Customer.objects.count() == 4 and Item.objects.count() == 4
    assert set(ImportRow.objects.filter(batch=batch).values_list("state", flat=True)) == {
        ImportRow.State.CREATED
    }


def test_a_plan_made_before_the_chunk_before_wrote_takes_what_that_chunk_created(
    partner, monkeypatch
):
    """Each chunk's plan is made before the chunk before it writes anything: it would create
    that chunk's new customer and item again, and catches up with them instead, without
    planning again."""
    monkeypatch.setattr(processing, "DOCUMENTS_PER_CHUNK", 1)
    init, start = processing._PlanAhead.__init__, processing._PlanAhead.start
    plan_references, planned_in = processing.plan_references, []

    def plan_while_writing(self, context):
        init(self, context)
        self.while_writing = True

    def start_and_plan_at_once(self, refs):
        start(self, refs)
        self.pending[2].result()

    def spy(*args):
        planned_in.append(not threading.current_thread().name.startswith("import-planning"))
        return plan_references(*args)

    monkeypatch.setattr(processing._PlanAhead, "__init__", plan_while_writing)
    monkeypatch.setattr(processing._PlanAhead, "start", start_and_plan_at_once)
    monkeypatch.setattr(processing, "plan_references", spy)
    rows = [line("R1", "C1", "I1"), line("R2", "C1", "I2"), line("R3", "C2", "I2")]
    _batch, report = run(partner, csv_file(*rows))
    assert report.documents_created == 3 and report.failed_rows == 0
    assert planned_in == [False, True, False]  # ahead R2, R1 itself, ahead R3: none again
    assert report.customers_created == 2 and report.items_created == 2
    assert Customer.objects.count() == 2 and Item.objects.count() == 2


def test_a_plan_made_before_another_run_took_its_rows_is_made_again(partner, monkeypatch):
    """Between the planning and the write, another run processed the next chunk's rows: the
    chunk sees its plan no longer holds and plans again, creating nothing twice."""
    monkeypatch.setattr(processing, "DOCUMENTS_PER_CHUNK", 1)
    start = processing._PlanAhead.start
    replanned = []

    def start_then_take_the_rows(self, refs):
        start(self, refs)
        self.pending[2].result()  # planned: now another run creates those documents
        ImportRow.objects.filter(reference__in=refs).update(state=ImportRow.State.CREATED)

    still_holds = processing._still_holds

    def spy(*args):
        holds = still_holds(*args)
        replanned.append(not holds)
        return holds

    monkeypatch.setattr(processing._PlanAhead, "start", start_then_take_the_rows)
    monkeypatch.setattr(processing, "_still_holds", spy)
    _batch, report = run(partner, csv_file(line("R1", "C1", "I1"), line("R2", "C2", "I2")))
    assert replanned == [True]
    assert report.documents_created == 1
    assert Invoice.objects.count() == 1


def test_a_customer_made_by_the_chunk_before_is_matched_as_the_plain_run_matches_it(
    partner, monkeypatch
):
    """Chunk 2 names, under another code, the company chunk 1 created (same e-mail): planned
    before chunk 1 was committed, it could not see it; the chunk plans again and matches it."""
    monkeypatch.setattr(processing, "DOCUMENTS_PER_CHUNK", 1)
    start = processing._PlanAhead.start

    def start_and_plan_before_the_commit(self, refs):
        start(self, refs)
        self.pending[2].result()

    monkeypatch.setattr(processing._PlanAhead, "start", start_and_plan_before_the_commit)
    first = "R1;15/03/2026;C1;Dupont SARL;a@dupont.fr;1 rue A;69001;Lyon;I1;Article;1;10,00;20;;;"
    again = "R2;16/03/2026;C9;Dupont SARL;a@dupont.fr;1 rue A;69001;Lyon;I1;Article;1;10,00;20;;;"
    _batch, report = run(partner, csv_file(first, again))
    assert report.documents_created == 2 and report.customers_created == 1
    assert Customer.objects.filter(email="a@dupont.fr").count() == 1
