"""The dashboard: the tenant's home page ("/"), and one connection's card of it."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "dashboard/connections/<int:pk>/", views.dashboard_connection, name="dashboard-connection"
    ),
]
