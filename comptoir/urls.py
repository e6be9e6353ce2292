from django.contrib import admin
from django.urls import include, path

from comptoir.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sales/", include("comptoir.sales.urls")),
    path("", include("comptoir.parties.urls")),
    path("", include("comptoir.catalog.urls")),
    path("settings/", include("comptoir.pricing.urls")),
    path("", include("comptoir.stock.urls")),
    path("", include("comptoir.purchasing.urls")),
    path("", include("comptoir.supplierinvoices.urls")),
    path("", include("comptoir.billing.urls")),
    path("reports/", include("comptoir.reports.urls")),
    path("", include("comptoir.payments.urls")),
    path("imports/", include("comptoir.imports.urls")),
    path("", include("comptoir.closings.urls")),
    path("", include("comptoir.ereporting.urls")),
    path("", include("comptoir.einvoicing.urls")),
    path("", include("comptoir.web.urls")),
]
