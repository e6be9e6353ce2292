"""Pages of the operational reports: the backlog, what is left to invoice, the quotations
pipeline and a month's invoiced sales; each also as a CSV or XLSX file (?export=csv|xlsx)."""

import re
from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.billing.models import Invoice
from comptoir.core import audit
from comptoir.core.listing import DATE_WIDGET, export_table
from comptoir.reports import operations

EXPORTS = {"csv", "xlsx"}
# Rows a page shows (the first ones: late first, oldest first); its totals and its export
# take them all.
SHOWN = 500


class BacklogFilters(forms.Form):
    customer = forms.CharField(label=_("Customer"), required=False, max_length=100)
    item = forms.CharField(label=_("Item"), required=False, max_length=100)
    due_before = forms.DateField(label=_("Requested by"), required=False, widget=DATE_WIDGET)
    late = forms.BooleanField(label=_("Late only"), required=False)


class ToInvoiceFilters(forms.Form):
    customer = forms.CharField(label=_("Customer"), required=False, max_length=100)
    up_to = forms.DateField(label=_("Delivered up to"), required=False, widget=DATE_WIDGET)


class PipelineFilters(forms.Form):
    since = forms.DateField(label=_("Decided since"), required=False, widget=DATE_WIDGET)


def _filters(form_class, request):
    """The form bound to the query and its clean values (the valid ones: a wrong date is said
    on the form and left out)."""
    form = form_class(request.GET or None)
    if not request.GET:
        return form, {}
    form.is_valid()
    return form, {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}


def _export(request, title, headers, rows, filters):
    kind = request.GET.get("export")
    if kind not in EXPORTS:
        return None
    changes = {name: [None, str(value)] for name, value in filters.items()}
    audit.record_event(audit.EXPORTED, f"{title} ({kind})", changes=changes)
    return export_table(kind, title, [str(h) for h in headers], rows)


def _shown(report) -> dict:
    return {"rows": report.rows[:SHOWN], "more": max(len(report.rows) - SHOWN, 0)}


def backlog(request):
    """Confirmed orders' lines not yet delivered, late ones first."""
    form, filters = _filters(BacklogFilters, request)
    today = timezone.localdate()
    report = operations.backlog(
        request.user,
        customer=filters.get("customer", ""),
        item=filters.get("item", ""),
        due_before=filters.get("due_before"),
        late_only=filters.get("late", False),
        today=today,
    )
    title = _("Order backlog")
    headers = [
        _("Requested for"),
        _("Late"),
        _("Customer"),
        _("Order"),
        _("Order date"),
        _("Item"),
        _("Description"),
        _("Ordered"),
        _("Left to deliver"),
        _("Amount left (excl. VAT)"),
    ]
    exported = _export(
        request,
        title,
        headers,
        (
            [
                r.requested,
                _("yes") if r.late else "",
                r.customer_name,
                r.order_number,
                r.order_date,
                r.item_code,
                r.description,
                r.quantity,
                r.quantity_left,
                r.amount_left,
            ]
            for r in report.rows
        ),
        filters,
    )
    return exported or render(
        request,
        "reports/backlog.html",
        {"title": title, "form": form, "report": report, "today": today, **_shown(report)},
    )


def to_invoice(request):
    """What is delivered and not yet invoiced, per delivery note and customer."""
    form, filters = _filters(ToInvoiceFilters, request)
    report = operations.to_invoice(
        request.user, customer=filters.get("customer", ""), up_to=filters.get("up_to")
    )
    title = pgettext_lazy("report", "To invoice")
    headers = [
        _("Customer"),
        _("Delivery note"),
        _("Delivered on"),
        _("Order"),
        _("Lines"),
        _("Amount to invoice (excl. VAT)"),
    ]
    exported = _export(
        request,
        title,
        headers,
        (
            [
                r.customer_name,
                r.delivery_number,
                r.delivery_date,
                r.order_number,
                r.lines,
                r.amount,
            ]
            for r in report.rows
        ),
        filters,
    )
    return exported or render(
        request,
        "reports/to_invoice.html",
        {"title": title, "form": form, "report": report, **_shown(report)},
    )


def quotations(request):
    """Open quotations by status and month, those expiring soon, the conversion rate."""
    form, filters = _filters(PipelineFilters, request)
    pipeline = operations.quotations(request.user, since=filters.get("since"))
    title = _("Quotations pipeline")
    headers = [_("Month"), _("Status"), _("Quotations"), _("Amount (excl. VAT)")]
    exported = _export(
        request,
        title,
        headers,
        (
            [formats.date_format(month, "YEAR_MONTH_FORMAT"), label, cell.count, cell.amount]
            for month, cells, _total in pipeline.months
            for status, label, _ in pipeline.statuses
            if (cell := cells.get(status))
        ),
        filters,
    )
    return exported or render(
        request,
        "reports/quotations.html",
        {"title": title, "form": form, "pipeline": pipeline},
    )


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str | None) -> date:
    """The month named ``2026-12`` in the address; this month otherwise."""
    match = MONTH.match(text or "")
    if match and 1 <= int(match[2]) <= 12 and 1900 < int(match[1]) < 3000:
        return date(int(match[1]), int(match[2]), 1)
    return operations.month_start(timezone.localdate())


def month_sales(request):
    """The invoices and credit notes issued in a month, adding up to its sales."""
    month = _month(request.GET.get("month"))
    report = operations.month_sales(request.user, month=month)
    title = _("Sales of %(month)s") % {"month": formats.date_format(month, "YEAR_MONTH_FORMAT")}
    kinds = dict(Invoice.Kind.choices)
    headers = [_("Date"), _("Number"), _("Kind"), _("Customer"), _("Net amount (excl. VAT)")]
    exported = _export(
        request,
        title,
        headers,
        ([r.date, r.number, kinds[r.kind], r.customer_name, r.net] for r in report.rows),
        {"month": month.strftime("%Y-%m")},
    )
    return exported or render(
        request,
        "reports/month_sales.html",
        {
            "title": title,
            "report": report,
            "month": month,
            "previous": operations.month_start(month, 1).strftime("%Y-%m"),
            "next": operations.month_start(month, -1).strftime("%Y-%m"),
            "kinds": kinds,
            **_shown(report),
        },
    )
