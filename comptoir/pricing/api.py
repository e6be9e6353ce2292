from ninja import Router

from comptoir.pricing.models import PaymentTerms, Tax
from comptoir.pricing.schemas import PaymentTermsOut, TaxOut

router = Router(tags=["taxes and terms"])


@router.get("/taxes", response=list[TaxOut])
def list_taxes(request):
    return Tax.objects.filter(active=True)


@router.get("/payment-terms", response=list[PaymentTermsOut])
def list_payment_terms(request):
    return PaymentTerms.objects.filter(active=True)
