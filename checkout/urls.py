from django.urls import path

from . import api, views

urlpatterns = [
    # BigCommerce's Shipping Provider calls (no trailing slash: the URLs the merchant copies).
    path("bigcommerce/rate", api.rate, name="checkout-rate"),
    path(
        "bigcommerce/check_connection_options",
        api.check_connection_options,
        name="checkout-check-connection-options",
    ),
    path("connections/<int:pk>/", views.checkout_tab, name="checkout-tab"),
    path("connections/<int:pk>/settings/", views.settings_save, name="checkout-settings"),
    path("connections/<int:pk>/key/", views.key_rotate, name="checkout-key-rotate"),
    path("connections/<int:pk>/options/new/", views.option_create, name="checkout-option-create"),
    path(
        "connections/<int:pk>/options/<int:option_id>/",
        views.option_edit,
        name="checkout-option-edit",
    ),
    path(
        "connections/<int:pk>/options/<int:option_id>/delete/",
        views.option_delete,
        name="checkout-option-delete",
    ),
]
