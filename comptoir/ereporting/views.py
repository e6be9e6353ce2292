from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.core.errors import BusinessError
from comptoir.core.listing import DATE_WIDGET
from comptoir.core.models import Company
from comptoir.ereporting import services
from comptoir.ereporting.models import Report


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Data reported"), choices=Report.Kind.choices)
    date = forms.DateField(
        label=gettext_lazy("A day of the period"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Empty: the last one that is over."),
    )


def reports(request):
    """The e-reporting files, the latest periods first; preparing one for a period."""
    form = PrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.prepare_report(form.cleaned_data["kind"], form.cleaned_data["date"])
        except BusinessError as error:
            form.add_error("date" if error.field == "period" else None, error.message)
        else:
            messages.success(
                request,
                _("Prepared: %(kind)s from %(start)s to %(end)s.")
                % {
                    "kind": report.get_kind_display().lower(),
                    "start": report.start.strftime("%d/%m/%Y"),
                    "end": report.end.strftime("%d/%m/%Y"),
                },
            )
            return redirect("ereporting:reports")
    return render(
        request,
        "ereporting/reports.html",
        {
            "title": _("E-reporting"),
            "form": form,
            "reports": Report.objects.defer("content").select_related("submission")[:200],
            "regime": Company.get().get_vat_regime_display(),
            "company": Company.get(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def send_report(request, pk: int):
    """Queue the file for the platform; the page then says where it stands."""
    report = get_object_or_404(Report, pk=pk)
    try:
        services.send_report(report)
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The file from %(start)s to %(end)s is being sent to the platform.")
            % {
                "start": report.start.strftime("%d/%m/%Y"),
                "end": report.end.strftime("%d/%m/%Y"),
            },
        )
    return redirect("ereporting:reports")


def report_file(request, pk: int):
    return download(get_object_or_404(Report, pk=pk))


def download(report: Report) -> HttpResponse:
    response = HttpResponse(bytes(report.content), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{services.file_name(report)}"'
    return response
