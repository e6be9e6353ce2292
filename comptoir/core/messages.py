"""E-mail messages sent with documents: editable templates with $placeholders.

Placeholders are plain names ($number, $customer, $date, $total, $due_date, $company): the
template is never code, so an edited template cannot run anything."""

from string import Template

from django.utils.translation import gettext as _

from comptoir.core.models import MessageTemplate


def defaults(kind: str) -> dict:
    what = {
        "invoice": _("invoice"),
        "credit_note": _("credit note"),
        "quotation": _("quotation"),
        "order": _("order confirmation"),
    }.get(kind, _("document"))
    return {
        "subject": _("Your %(what)s $number — $company") % {"what": what},
        "body": _(
            "Hello,\n\nPlease find attached our %(what)s $number of $date, for $total"
            "%(due)s.\n\nBest regards,\n$company"
        )
        % {"what": what, "due": _(", due on $due_date") if kind == "invoice" else ""},
    }


def template_for(kind: str) -> MessageTemplate:
    template = MessageTemplate.objects.filter(kind=kind).first()
    return template or MessageTemplate(kind=kind, **defaults(kind))


def render(kind: str, values: dict) -> tuple[str, str]:
    template = template_for(kind)
    return (
        Template(template.subject).safe_substitute(values),
        Template(template.body).safe_substitute(values),
    )
