"""Helpers shared by the views of every app: lists, business errors on forms."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from comptoir.core.errors import BusinessError
from comptoir.core.listing import Listing


def list_view(listing_class: type[Listing], template: str = "core/list.html", **context):
    """A login-protected view showing a Listing, or exporting it with ?export=csv|xlsx."""

    @login_required
    def view(request):
        listing = listing_class(request.GET)
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
