"""Helpers shared by the views of every app: lists, business errors on forms."""

from django.contrib import messages
from django.shortcuts import redirect, render

from comptoir.core import access
from comptoir.core.errors import BusinessError, each_refusal
from comptoir.core.listing import Listing


def list_view(listing_class: type[Listing], template: str = "core/list.html", **context):
    """A view showing a Listing, or exporting it with ?export=csv|xlsx."""

    def view(request):
        listing = listing_class(request.GET, user=request.user)
        export = request.GET.get("export")
        if export in {"csv", "xlsx"}:
            return listing.export(export)
        return render(request, template, {"listing": listing, "page": listing.page(), **context})

    return view


def save_form(form, save):
    """`save(cleaned_data)` for a valid form; a BusinessError becomes a message on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except BusinessError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def quantities_per_line(request, lines, *, default, save, done: str, template: str, context):
    """A form asking a quantity for each line (deliver, credit…): `save(quantities)` runs the
    service with {line id: typed quantity}; a BusinessError shows next to its line."""
    values = {line.pk: request.POST.get(f"line-{line.pk}", "") for line in lines}
    row_keys = {f"lines.{line.pk}" for line in lines}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            result = save({pk: value or "0" for pk, value in values.items()})
        except BusinessError as error:
            # Each line refused shows beside it; an error about none of the lines (stock
            # missing for a component…) shows above.
            for each in each_refusal(error):
                errors.setdefault(each.field if each.field in row_keys else "__all__", each.message)
        else:
            messages.success(request, done % {"ref": result})
            return redirect(result)
    rows = [
        {
            "line": line,
            "name": f"line-{line.pk}",
            "value": values[line.pk] if request.method == "POST" else default(line),
            "error": errors.get(f"lines.{line.pk}", ""),
        }
        for line in lines
    ]
    return render(
        request,
        template,
        {**context, "rows": rows, "error": errors.get("__all__", "")},
        status=400 if errors else 200,
    )


def form_page(request, form, title: str, back_url: str = "", **extra):
    """The generic form page; 400 when the form has errors, so they are never taken for success.
    A record's money the user may not see is left out of the page; a user who may see the page
    but not send it sees the values, without a form to send."""
    if extra.get("tabs"):
        extra["tabs"] = [tab for tab in extra["tabs"] if access.may_open_url(request.user, tab[1])]
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None:
        for name in access.hidden_money_fields(model, request.user):
            form.fields.pop(name, None)
    read_only = not access.may_submit(request.user, request.path)
    for field in form.fields.values():
        field.disabled = field.disabled or read_only  # shown as it is, nothing to send
    return render(
        request,
        "web/form.html",
        {"form": form, "title": title, "back_url": back_url, "read_only": read_only, **extra},
        status=400 if form.errors else 200,
    )
