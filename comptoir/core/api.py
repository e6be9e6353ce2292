from ninja import Router

from comptoir.core import services
from comptoir.core.models import Company
from comptoir.core.schemas import CompanyIn, CompanyOut, ErrorOut

router = Router(tags=["company"])


@router.get("/company", response=CompanyOut)
def get_company(request):
    return Company.get()


@router.patch("/company", response={200: CompanyOut, 400: ErrorOut})
def update_company(request, payload: CompanyIn):
    return services.update_company(**payload.dict(exclude_unset=True))
