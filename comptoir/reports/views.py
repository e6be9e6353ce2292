"""The sales analysis page, its files and the invoices behind a figure."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.catalog.models import ItemGroup
from comptoir.core import audit
from comptoir.core.charts import bars
from comptoir.core.errors import BusinessError
from comptoir.core.listing import csv_response, xlsx_response
from comptoir.parties.models import Customer, CustomerGroup, Territory
from comptoir.reports import queries, tables

MONTH_WIDGET = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class SalesFilters(forms.Form):
    """What the page asks; read_query says what is wrong with it."""

    view = forms.ChoiceField(label=gettext_lazy("View"), required=False)
    rows = forms.ChoiceField(label=gettext_lazy("Rows"), required=False)
    columns = forms.ChoiceField(label=gettext_lazy("Columns"), required=False)
    measure = forms.ChoiceField(label=gettext_lazy("Figure by period"), required=False)
    start = forms.CharField(label=gettext_lazy("From"), required=False, widget=MONTH_WIDGET)
    end = forms.CharField(label=gettext_lazy("To"), required=False, widget=MONTH_WIDGET)
    customer_group = forms.ChoiceField(label=gettext_lazy("Customer group"), required=False)
    item_group = forms.ChoiceField(label=gettext_lazy("Item group"), required=False)
    territory = forms.ChoiceField(label=gettext_lazy("Territory"), required=False)
    salesperson = forms.ChoiceField(label=gettext_lazy("Salesperson"), required=False)

    def __init__(self, data, *, margins: bool, initial=None):
        super().__init__(data, initial=initial)
        fields = self.fields
        fields["view"].choices = [(k, v) for k, v in queries.VIEWS.items()]
        fields["rows"].choices = [(k, d.label) for k, d in queries.DIMENSIONS.items()]
        fields["columns"].choices = [(k, v) for k, v in queries.PERIODS.items()]
        fields["measure"].choices = [
            (k, v) for k, v in tables.MEASURES.items() if margins or k not in tables.MARGIN_MEASURES
        ]
        every = [("", _("All"))]
        fields["customer_group"].choices = every + list(
            CustomerGroup.objects.order_by("name").values_list("pk", "name")
        )
        fields["item_group"].choices = every + list(
            ItemGroup.objects.order_by("name").values_list("pk", "name")
        )
        fields["territory"].choices = every + list(
            Territory.objects.order_by("name").values_list("pk", "name")
        )
        people = get_user_model().objects.filter(
            pk__in=Customer.objects.filter(salesperson__isnull=False).values("salesperson_id")
        )
        fields["salesperson"].choices = every + [
            (u.pk, u.get_full_name() or u.get_username()) for u in people.order_by("username")
        ]


def _file_name(result: queries.Pivot, extension: str) -> str:
    name = slugify(f"{_('Sales analysis')} {result.dimension.label}")
    return f"{name}-{timezone.localdate().isoformat()}.{extension}"


def export(result: queries.Pivot, table: tables.Table, kind: str):
    rows = tables.values(table)
    title = _("Sales analysis")
    audit.record_event(audit.EXPORTED, f"{title} ({kind})")
    if kind == "xlsx":
        return xlsx_response(_file_name(result, "xlsx"), title, rows[0], rows[1:])
    return csv_response(_file_name(result, "csv"), rows[0], rows[1:])


def sales(request):
    margins = queries.may_see_margins(request.user)
    result = table = chart = None
    try:
        query = queries.read_query(request.GET)
    except BusinessError as error:
        form = SalesFilters(request.GET, margins=margins)
        form.is_valid()
        form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        # The form shows what the table was made of, the defaults included.
        shown = {
            "view": query.view,
            "rows": query.rows,
            "columns": query.columns,
            "start": query.start.strftime("%Y-%m"),
            "end": query.end.strftime("%Y-%m"),
        }
        form = SalesFilters(request.GET or None, margins=margins, initial=shown)
        if form.is_bound:
            form.is_valid()
        measure = tables.measure_of(request.GET, margins)
        if request.GET.get("measure") in tables.MARGIN_MEASURES and not margins:
            messages.info(
                request,
                _("Your role does not show margins: the figure shown is the net sales."),
            )
        kind = request.GET.get("export")
        if kind in ("csv", "xlsx"):  # every row
            result = queries.analysis(query)
            return export(result, tables.build(result, measure, margins), kind)
        result = queries.analysis(query, limit=tables.PAGE_ROWS)
        table = tables.build(result, measure, margins, limit=tables.PAGE_ROWS)
        if query.columns:
            chart = bars([(result.period_label(p), result.totals.get(p, queries.Figures()).net)
                          for p in result.periods])  # fmt: skip
        else:
            chart = bars([(row.label[:14], row.total.net) for row in result.rows[:12]])
    return render(
        request,
        "reports/sales.html",
        {
            "form": form,
            "result": result,
            "table": table,
            "chart": chart,
            "margins": margins,
            "shown": tables.PAGE_ROWS,
            "abc_note": _("Class A: the first 80% of sales; B: the next 15%; C: the rest."),
        },
    )


def sales_invoices(request):
    margins = queries.may_see_margins(request.user)
    try:
        found = queries.drill(request.GET)
    except BusinessError as error:
        return render(request, "reports/sales_invoices.html", {"error": error.message}, status=400)
    return render(request, "reports/sales_invoices.html", {"drill": found, "margins": margins})
