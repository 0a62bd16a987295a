from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalog_list, name="catalog"),
    path(
        "connections/<int:pk>/readiness/",
        views.connection_readiness,
        name="catalog-readiness",
    ),
    path(
        "connections/<int:pk>/product-import/",
        views.connection_product_import_save,
        name="catalog-product-import",
    ),
]
