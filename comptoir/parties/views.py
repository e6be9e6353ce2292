"""Customer pages: list, the customer's page, forms, and search-as-you-type options."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.listing import Column, Listing
from comptoir.core.views import form_page, save_form
from comptoir.parties import services
from comptoir.parties.forms import AddressForm, ContactForm, CustomerForm
from comptoir.parties.models import Customer
from comptoir.parties.queries import visible_customers
from comptoir.parties.signals import CUSTOMER_FACTS

OPTIONS_LIMIT = 20


class CustomerListing(Listing):
    model = Customer
    title = gettext_lazy("Customers")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("kind", gettext_lazy("Kind"), "get_kind_display"),
        Column("siren", "SIREN", "siren"),
        Column("vat_id", gettext_lazy("VAT number"), "vat_id"),
        Column("email", gettext_lazy("E-mail"), "email"),
        Column("group", gettext_lazy("Group"), "group.name", sort="group__name"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "siren", "vat_id", "email")
    status_field = customer_field = date_field = amount_field = None
    owner_path = ""
    default_sort = "name"
    create_url_name = "parties:customer_new"
    create_label = gettext_lazy("New customer")

    def get_queryset(self):
        return Customer.objects.select_related("group")


def customer_detail(request, pk: int):
    customer = get_object_or_404(
        visible_customers(request.user).select_related(
            "group", "territory", "price_list", "payment_terms", "salesperson"
        ),
        pk=pk,
    )
    return render(
        request,
        "parties/customer_detail.html",
        {
            "customer": customer,
            "addresses": customer.addresses.order_by("kind", "-is_default", "pk"),
            "contacts": customer.contacts.order_by("-is_primary", "last_name"),
            "more_facts": CUSTOMER_FACTS,
        },
    )


def customer_form(request, pk: int | None = None):
    customer = get_object_or_404(visible_customers(request.user), pk=pk) if pk else None
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST":
        if customer is None:
            saved = save_form(
                form,
                lambda data: services.create_customer(
                    addresses=[a] if (a := form.address()) else None, **form.customer_fields()
                ),
            )
        else:
            saved = save_form(
                form, lambda data: services.update_customer(customer, **form.customer_fields())
            )
        if saved is not None:
            messages.success(request, _("Customer %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    title = customer.name if customer else _("New customer")
    return form_page(request, form, title, customer.get_absolute_url() if customer else "")


def _child_form(form_class, service, title):
    def view(request, pk: int):
        customer = get_object_or_404(visible_customers(request.user), pk=pk)
        form = form_class(request.POST or None)
        if (
            request.method == "POST"
            and save_form(form, lambda data: service(customer, **data)) is not None
        ):
            messages.success(request, _("Saved."))
            return redirect(customer)
        return form_page(request, form, f"{customer.name} — {title}", customer.get_absolute_url())

    return view


address_new = _child_form(AddressForm, services.add_address, gettext_lazy("new address"))
contact_new = _child_form(ContactForm, services.add_contact, gettext_lazy("new contact"))


def customer_options(request):
    """The options of a customer picker: the customers the user sees whose name holds what is
    typed, or whose code or SIREN starts with it."""
    term = request.GET.get("q", "").strip()
    customers = visible_customers(request.user).filter(active=True)
    if term:
        found = Q(code__istartswith=term) | Q(name__icontains=term)
        digits = term.replace(" ", "")
        if digits.isdigit():
            found |= Q(siren__startswith=digits)
        customers = customers.filter(found)
    customers = customers.order_by("name").only("code", "name", "siren")[:OPTIONS_LIMIT]
    return render(request, "parties/customer_options.html", {"customers": customers})
