from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "connections.alerts"
    label = "alerts"
    verbose_name = "Alerts"
