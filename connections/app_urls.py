"""BigCommerce app callbacks, mounted at /bigcommerce/ (register these URLs in the Developer
Portal: auth, load, uninstall and remove user callbacks). A trailing slash is accepted."""

from django.urls import re_path

from . import app_install, app_views
from .webhooks.views import webhook_receive_view

urlpatterns = [
    re_path(r"^auth/?$", app_install.auth_callback, name="bigcommerce-auth"),
    re_path(r"^load/?$", app_views.load_callback, name="bigcommerce-load"),
    re_path(r"^uninstall/?$", app_views.uninstall_callback, name="bigcommerce-uninstall"),
    re_path(r"^remove_user/?$", app_views.remove_user_callback, name="bigcommerce-remove-user"),
    re_path(
        r"^webhooks/(?P<key>[A-Za-z0-9_-]{1,64})/?$", webhook_receive_view, name="webhook-receive"
    ),
]
