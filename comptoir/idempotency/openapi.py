"""The ``Idempotency-Key`` header in the OpenAPI schema: an optional parameter of every POST."""

from django.utils.translation import gettext as _

from comptoir.idempotency.services import HEADER, MAX_KEY


def document(schema: dict) -> None:
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
        "description": _(
            "Send the request again with the same key (same body) and get the first answer "
            "back, without the work being done twice (for a day). Another body with the same "
            "key: 422 idempotency.key_reused; still under way after 10 s: 409 "
            "idempotency.in_progress."
        ),
    }
    for operations in schema["paths"].values():
        operation = operations.get("post")
        if operation is None:
            continue
        operation.setdefault("parameters", []).append(parameter)
        operation["responses"].setdefault(
            409,
            {
                "description": _("A request with this Idempotency-Key is still under way."),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            },
        )
