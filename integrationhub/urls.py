from django.contrib import admin
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/", health, name="health"),
    # Pages that link no favicon of their own (the admin) still get the hub's.
    path("favicon.ico", RedirectView.as_view(url=static("connections/favicon.svg"))),
    path("api/v1/", include("integrationhub.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("bigcommerce/", include("connections.app_urls")),
    path("catalog/", include("catalog.urls")),
    path("checkout/", include("checkout.urls")),
    path("orders/", include("orders.urls")),
    path("", include("dataflows.urls")),  # the engine's tabs of a connection, SYNCHRONIZE
    path("", include("connections.urls")),
]
