from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


def health(request):
    return JsonResponse({"status": "ok"})


def _needs_mail(view):
    """Password reset only where the hub can send its mail (settings.PASSWORD_RESET_ENABLED)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("Password reset is off: this hub has no mail server (EMAIL_URL).")
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "password_reset_enabled": settings.PASSWORD_RESET_ENABLED,
        }


# django.contrib.auth.urls, with password reset behind _needs_mail.
accounts = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        _needs_mail(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        _needs_mail(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        _needs_mail(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        _needs_mail(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("health/", health, name="health"),
    # Pages that link no favicon of their own (the admin) still get the hub's.
    path("favicon.ico", RedirectView.as_view(url=static("connections/favicon.svg"))),
    path("api/v1/", include("integrationhub.api_urls")),  # with the schema and its docs
    path("bigcommerce/", include("connections.app_urls")),
    path("catalog/listings/", include("listings.urls")),
    path("catalog/", include("catalog.urls")),
    path("checkout/", include("checkout.urls")),
    path("orders/", include("orders.urls")),
    path("", include("dashboard.urls")),  # "/" : the tenant's home page after log-in
    path("", include("dataflows.urls")),  # the engine's tabs of a connection, SYNCHRONIZE
    path("", include("connections.urls")),
]
