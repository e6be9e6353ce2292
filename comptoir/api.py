"""The REST API: every app's router mounted on one NinjaAPI, errors as 4xx JSON."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from comptoir.billing.api import router as billing_router
from comptoir.catalog.api import router as catalog_router
from comptoir.closings.api import router as closings_router
from comptoir.core.api import router as core_router
from comptoir.core.auth import api_auth
from comptoir.core.errors import BusinessError
from comptoir.core.schemas import ValidationErrorOut
from comptoir.einvoicing.api import router as einvoicing_router
from comptoir.ereporting.api import router as ereporting_router
from comptoir.idempotency.openapi import document as document_idempotency
from comptoir.imports.api import router as imports_router
from comptoir.parties.api import router as parties_router
from comptoir.payments.api import router as payments_router
from comptoir.pricing.api import router as pricing_router
from comptoir.purchasing.api import router as purchasing_router
from comptoir.reports.api import router as reports_router
from comptoir.sales.api import router as sales_router
from comptoir.stock.api import router as stock_router
from comptoir.supplierinvoices.api import router as supplierinvoices_router


class ComptoirAPI(NinjaAPI):
    """The API, whose schema also states the errors any operation may answer: 401 without a
    valid token, 403 when the token's user may not, 422 when the input breaks its schema."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        definition = ValidationErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components.update(definition.pop("$defs", {}))
        components["ValidationErrorOut"] = definition
        document_idempotency(schema)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                responses.setdefault(401, _error(_("Authentication required."), "ErrorOut"))
                responses.setdefault(403, _error(_("Your role does not allow this."), "ErrorOut"))
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, _error(_("Invalid input."), "ValidationErrorOut"))
        return schema


def _error(description: str, schema: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


api = ComptoirAPI(
    title="Comptoir API",
    version="1",
    description="Gestion commerciale: customers, items, quotations, orders, deliveries, "
    "invoices, payments. Authenticate with `Authorization: Bearer <token>`.",
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(BusinessError)
def business_error(request, exc: BusinessError):
    body = exc.as_dict()
    if exc.status_code == 422:  # the input is wrong as given: the shape of every 422
        body["errors"] = [{"loc": (exc.field or "").split("."), "msg": exc.message}]
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query")]
    return api.create_response(
        request,
        {
            "code": "validation_error",
            "message": first.get("msg", _("Invalid input.")),
            "field": ".".join(location) or None,
            "errors": [
                {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", "")}
                for e in exc.errors
            ],
        },
        status=422,
    )


@api.exception_handler(ValidationError)
def django_validation_error(request, exc: ValidationError):
    return api.create_response(
        request, {"code": "invalid_value", "message": " ".join(exc.messages)}, status=400
    )


@api.exception_handler(ProtectedError)
def in_use(request, exc: ProtectedError):
    return api.create_response(
        request,
        {"code": "in_use", "message": _("Documents still refer to this record.")},
        status=409,
    )


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def not_found(request, exc):
    return api.create_response(
        request, {"code": "not_found", "message": _("Not found.")}, status=404
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(
        request, {"code": "bad_request", "message": str(exc)}, status=exc.status_code
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request, {"code": "unauthorized", "message": _("Authentication required.")}, status=401
    )


api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/", catalog_router)
api.add_router("/", pricing_router)
api.add_router("/", sales_router)
api.add_router("/", stock_router)
api.add_router("/", purchasing_router)
api.add_router("/", billing_router)
api.add_router("/", payments_router)
api.add_router("/", imports_router)
api.add_router("/", reports_router)
api.add_router("/", closings_router)
api.add_router("/", ereporting_router)
api.add_router("/", einvoicing_router)
api.add_router("/", supplierinvoices_router)
