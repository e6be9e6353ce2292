from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.closings import services, signing
from comptoir.closings.api import download
from comptoir.closings.models import Closing
from comptoir.core.errors import BusinessError
from comptoir.core.listing import DATE_WIDGET


class CloseForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=Closing.Period.choices)
    date = forms.DateField(
        label=gettext_lazy("A day of the period"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Empty: the last one that is over."),
    )


def closings(request):
    """The signed closings of the journal, each downloadable; closing a period by hand."""
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        day = form.cleaned_data["date"] or services.last_ended(period, timezone.localdate())
        try:
            closing = services.close_period(period, day)
        except BusinessError as error:
            form.add_error("date" if error.field == "date" else None, error.message)
        else:
            messages.success(
                request,
                _("Closed: %(name)s. Download its file and keep it away from this server.")
                % {"name": closing_label(closing)},
            )
            return redirect("closings:closings")
    # The latest periods first, a month above the closing of its own first day.
    latest_first = Closing.objects.order_by("-start", "-end")
    rows = [(closing, closing_label(closing)) for closing in latest_first[:200]]
    key = signing.own_public_key()
    return render(
        request,
        "closings/closings.html",
        {
            "title": _("Closings of the journal"),
            "form": form,
            "rows": rows,
            "key": key,
            "key_fingerprint": signing.fingerprint(key) if key else "",
        },
        status=400 if form.errors else 200,
    )


def closing_label(closing: Closing) -> str:
    from django.utils import formats

    if closing.period == Closing.Period.DAY:
        return formats.date_format(closing.start, "DATE_FORMAT")
    if closing.period == Closing.Period.MONTH:
        return formats.date_format(closing.start, "YEAR_MONTH_FORMAT")
    return str(closing.start.year)


def closing_file(request, pk: int):
    return download(get_object_or_404(Closing, pk=pk))
