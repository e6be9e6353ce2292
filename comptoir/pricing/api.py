from ninja import Router, Status

from comptoir.core.schemas import ErrorOut
from comptoir.pricing import services
from comptoir.pricing.models import PaymentTerms, Tax, TermsTemplate
from comptoir.pricing.schemas import (
    PaymentTermsIn,
    PaymentTermsOut,
    TaxOut,
    TermsTemplateIn,
    TermsTemplateOut,
)

router = Router(tags=["taxes and terms"])


@router.get("/taxes", response=list[TaxOut])
def list_taxes(request):
    return Tax.objects.filter(active=True)


@router.get("/payment-terms", response=list[PaymentTermsOut])
def list_payment_terms(request):
    return PaymentTerms.objects.filter(active=True)


@router.post("/payment-terms", response={201: PaymentTermsOut, 400: ErrorOut})
def create_payment_terms(request, payload: PaymentTermsIn):
    return Status(201, services.create_payment_terms(**payload.dict()))


@router.get("/terms-templates", response=list[TermsTemplateOut])
def list_terms_templates(request):
    return TermsTemplate.objects.order_by("name")


@router.post("/terms-templates", response={201: TermsTemplateOut, 400: ErrorOut})
def create_terms_template(request, payload: TermsTemplateIn):
    return Status(201, services.create_terms_template(**payload.dict()))
