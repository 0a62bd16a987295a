from django.apps import AppConfig


class DataflowsConfig(AppConfig):
    name = "dataflows"
