"""Allowed status moves are declared once per model, as ``TRANSITIONS = {from: {to, …}}``."""

from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidTransition


def check_transition(document, target: str) -> None:
    allowed = type(document).TRANSITIONS.get(document.status, set())
    if target not in allowed:
        raise InvalidTransition(
            f"{document.ERROR_PREFIX}.invalid_transition",
            _("%(doc)s %(ref)s is %(status)s: it cannot become %(target)s.")
            % {
                "doc": type(document)._meta.verbose_name.capitalize(),
                "ref": document.reference,
                "status": document.get_status_display(),
                "target": type(document).Status(target).label,
            },
            "status",
        )
