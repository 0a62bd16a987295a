"""The CONNECTIONS screens' URLs. The engine's tabs and SYNCHRONIZE (dataflows.urls) are
included before these, under the same /connections/<id>/ prefix."""

from django.urls import path

from . import views
from .webhooks import panel as webhooks_panel

urlpatterns = [
    # The CONNECTIONS list keeps the URL name "home" (links and tests say "back to connections");
    # the site's front page "/" is the dashboard.
    path("connections/", views.connection_list, name="home"),
    path("tenant/", views.tenant_switch, name="tenant-switch"),
    path("tenant/settings/", views.tenant_settings, name="tenant-settings"),
    path("connections/new/", views.connection_create, name="connection-create"),
    path("connections/open/", views.connection_open, name="connection-open"),
    path("connections/columns/", views.columns_save, name="connection-columns"),
    path("connections/views/", views.view_save, name="connection-view-save"),
    path("connections/views/<int:pk>/update/", views.view_update, name="connection-view-update"),
    path("connections/views/<int:pk>/delete/", views.view_delete, name="connection-view-delete"),
    path(
        "connections/selected/<slug:action>/",
        views.connection_bulk_action,
        name="connection-bulk-action",
    ),
    path("connections/<int:pk>/", views.connection_detail, name="connection-detail"),
    path("connections/<int:pk>/name/", views.connection_rename, name="connection-rename"),
    path(
        "connections/<int:pk>/webhooks/register/",
        webhooks_panel.webhooks_register_view,
        name="connection-webhooks-register",
    ),
    path(
        "connections/<int:pk>/webhooks/rotate/",
        webhooks_panel.webhooks_rotate_view,
        name="connection-webhooks-rotate",
    ),
    path(
        "connections/<int:pk>/credentials/",
        views.connection_credentials,
        name="connection-credentials",
    ),
    path("connections/<int:pk>/settings/", views.connection_settings, name="connection-settings"),
    path("connections/<int:pk>/<slug:action>/", views.connection_action, name="connection-action"),
]
