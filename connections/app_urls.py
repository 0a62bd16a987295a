"""BigCommerce app callbacks, mounted at /bigcommerce/ (register these URLs in the Developer
Portal: auth, load, uninstall and remove user callbacks). A trailing slash is accepted."""

from django.urls import re_path

from . import app_install, app_views

urlpatterns = [
    re_path(r"^auth/?$", app_install.auth_callback, name="bigcommerce-auth"),
    re_path(r"^load/?$", app_views.load_callback, name="bigcommerce-load"),
    re_path(r"^uninstall/?$", app_views.uninstall_callback, name="bigcommerce-uninstall"),
    re_path(r"^remove_user/?$", app_views.remove_user_callback, name="bigcommerce-remove-user"),
]
