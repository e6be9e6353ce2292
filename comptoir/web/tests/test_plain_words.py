"""Pages speak the user's language, never the stored values: no status codes, unit codes, user
ids or ISO times in pages and histories, messages that say what happened, and *un avoir émis*."""

import re

from comptoir.billing.models import Invoice
from comptoir.catalog.models import Item
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.web import actions

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _text(response) -> str:
    """The page's visible text, roughly: tags, scripts and attributes left out."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_an_issued_invoice_history_reads_as_words(demo_client):
    invoice = Invoice.objects.filter(status="issued", kind="invoice").order_by("pk").first()
    text = _text(demo_client.get(invoice.get_absolute_url()))
    history = text[text.index("Historique") :]
    assert "Émise" in history and "Brouillon" in history
    assert "émetteur" in history and "date d’émission" in history
    for internal in ("draft", "issued", "issued by", "issued at", "statut : draft"):
        assert f" {internal} " not in history, internal
    assert not ISO_TIME.search(history)
    assert not re.search(r"émetteur\s*:\s*\d+\b", history)  # a user's name, not their id


def test_a_confirmed_order_history_shows_status_labels_in_english_too(demo_client):
    order = SalesOrder.objects.filter(status="confirmed").order_by("pk").first()
    demo_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = _text(demo_client.get(order.get_absolute_url()))
    history = text[text.index("History") :]
    assert "Confirmed" in history
    assert not re.search(r"(→|Draft)\s+confirmed\b", history)  # the status, not its code
    assert "status:" in history and not re.search(r"status\s:", history)  # English colon


def test_units_are_named_not_coded(demo_client):
    order = SalesOrder.objects.order_by("pk").first()
    page = _text(demo_client.get(order.get_absolute_url()))
    items = _text(demo_client.get("/items/"))
    for text in (page, items):
        assert "C62" not in text and "HUR" not in text
    assert re.search(r"\d unité", page) or re.search(r"\d heure", page)
    assert "Unité" in items or "Heure" in items
    assert Item.objects.filter(unit__code="C62").exists()


def test_an_issued_credit_note_is_emis(demo_client):
    note = Invoice.objects.filter(kind="credit_note", status="issued").first()
    assert note is not None, "the demo issues credit notes"
    assert note.get_status_display() == "Émis"
    html = demo_client.get(note.get_absolute_url()).content.decode()
    assert 'id="document-status">Émis<' in html
    assert f'{note.number} <span class="badge issued">Émis<' in html  # its chain
    invoice = Invoice.objects.filter(kind="invoice", status="issued").first()
    assert invoice.get_status_display() == "Émise"


def test_an_action_says_what_it_did(demo_client):
    quotation = Quotation.objects.filter(status="sent").order_by("pk").first()
    response = demo_client.post(f"/actions/quotation/{quotation.pk}/accept/", follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"Devis {quotation.number} accepté."]
    draft = Invoice.objects.filter(status="draft", kind="invoice").order_by("pk").first()
    response = demo_client.post(f"/actions/invoice/{draft.pk}/issue/", follow=True)
    draft.refresh_from_db()
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"Document émis sous le numéro {draft.number}."]


def test_every_action_that_runs_says_what_it_did():
    silent = [
        f"{model.__name__}.{action.name}"
        for model, listed in actions.ACTIONS.items()
        for action in listed
        if action.run and not action.done
    ]
    assert silent == []


def test_statuses_agree_with_their_document():
    from django.utils import translation

    from comptoir.stock.models import DeliveryNote

    with translation.override("fr"):
        assert DeliveryNote.Status.CANCELLED.label == "Annulé"  # un bon de livraison
        assert SalesOrder.Status.CANCELLED.label == "Annulée"  # une commande


def test_units_take_the_plural_as_french_writes_it(db):
    from decimal import Decimal

    from comptoir.catalog.templatetags.catalog import unit_name

    assert unit_name("C62", Decimal("1")) == "unité"
    assert unit_name("C62", Decimal("5000")) == "unités"
    assert unit_name("KGM", Decimal("2.5")) == "kilogrammes"
    assert unit_name("C62") == "unité"


def test_a_drafts_history_shows_no_json_and_labels_take_their_colon(demo_client):
    from decimal import Decimal

    from comptoir.pricing.engine import LineSpec
    from comptoir.sales import services as sales

    quotation = Quotation.objects.filter(status="draft").order_by("pk").first()
    line = quotation.lines.order_by("position").first()
    sales.update_quotation(quotation, lines=[LineSpec(line.item, Decimal("3"))])
    text = _text(demo_client.get(quotation.get_absolute_url()))
    history = text[text.index("Historique") :]
    assert "[{" not in history and '"rate"' not in history
    assert "total HT" in history  # what changed, in words
    order = SalesOrder.objects.filter(status="confirmed").order_by("pk").first()
    html = demo_client.get(order.get_absolute_url()).content.decode()
    assert "Livré\u00a0:" in html and "Livré:" not in html


def test_no_button_promises_what_the_service_refuses(demo_client):
    """A converted quotation offers no second conversion; an order with deliveries or invoices
    offers no cancellation (both were refused only once clicked)."""
    converted = Quotation.objects.filter(status="accepted", orders__isnull=False).first()
    page = demo_client.get(converted.get_absolute_url()).content.decode()
    assert 'data-action="order"' not in page and 'data-action="invoice"' not in page
    busy = SalesOrder.objects.filter(status="confirmed", lines__quantity_delivered__gt=0).first()
    page = demo_client.get(busy.get_absolute_url()).content.decode()
    assert 'data-action="cancel"' not in page
    fresh = SalesOrder.objects.filter(status="draft").first()
    assert 'data-action="cancel"' in demo_client.get(fresh.get_absolute_url()).content.decode()


def test_the_dashboard_months_are_told_apart():
    """June and July are « juin » and « juil. », not « jui » and « jul »."""
    import datetime as dt

    from django.utils import translation

    from comptoir.web.dashboard import chart

    with translation.override("fr"):
        labels = [bar.label for bar in chart({}, dt.date(2026, 12, 7))]
    assert "juin 26" in labels and "juil. 26" in labels
    assert len(set(labels)) == 12


def test_the_history_names_the_command_line_and_the_system_in_words(demo_client):
    from comptoir.catalog.services import update_item
    from comptoir.core import audit

    item = Item.objects.order_by("pk").first()
    with audit.acting(name="cli:marie"):
        update_item(item, name="Tablier renforcé")
    with audit.acting(name="system"):
        update_item(item, name="Tablier renforcé bleu", barcode="4006381333931")
    history = _text(demo_client.get(item.get_absolute_url()))
    history = history[history.index("Historique") :]
    assert "ligne de commande (marie)" in history and "Comptoir, automatiquement" in history
    assert "cli:" not in history and " system " not in history
    assert "4006381333931" in history and not re.search(r":\s*→", history)  # was empty
