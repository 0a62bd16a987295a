"""The engine's screens, reached from the CONNECTIONS screen under /connections/<id>/ (included
before connections.urls, whose catch-all action URL would otherwise take SYNCHRONIZE)."""

from django.urls import path

from . import views, views_runs, views_sync

urlpatterns = [
    path(
        "connections/selected/synchronize/",
        views_sync.connections_synchronize,
        name="connections-sync",
    ),
    path(
        "connections/<int:pk>/synchronize/",
        views_sync.connection_synchronize_view,
        name="connection-sync",
    ),
    path(
        "connections/<int:pk>/dataflows/", views.connection_dataflows, name="connection-dataflows"
    ),
    path(
        "connections/<int:pk>/dataflows/<int:dataflow_pk>/",
        views.dataflow_save,
        name="dataflow-save",
    ),
    path(
        "connections/<int:pk>/dataflows/<int:dataflow_pk>/run/",
        views.dataflow_run_now,
        name="dataflow-run-now",
    ),
    path("connections/<int:pk>/runs/", views_runs.connection_runs, name="connection-runs"),
    path("connections/<int:pk>/runs/<int:run_pk>/", views_runs.run_detail, name="run-detail"),
]
