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
from comptoir.core.api import router as core_router
from comptoir.core.auth import api_auth
from comptoir.core.errors import BusinessError
from comptoir.imports.api import router as imports_router
from comptoir.parties.api import router as parties_router
from comptoir.payments.api import router as payments_router
from comptoir.pricing.api import router as pricing_router
from comptoir.purchasing.api import router as purchasing_router
from comptoir.sales.api import router as sales_router
from comptoir.stock.api import router as stock_router

api = NinjaAPI(
    title="Comptoir API",
    version="1",
    description="Gestion commerciale: customers, items, quotations, orders, deliveries, "
    "invoices, payments. Authenticate with `Authorization: Bearer <token>`.",
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(BusinessError)
def business_error(request, exc: BusinessError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


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
