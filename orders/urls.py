from django.urls import path

from . import views, views_errors

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("<int:pk>/", views.order_page, name="order-detail"),
    path("<int:pk>/reimport/", views.order_reimport, name="order-reimport"),
    path("errors/", views_errors.order_error_list, name="order-errors"),
    path("errors/export.csv", views_errors.order_error_export, name="order-errors-export"),
    path("errors/<slug:action>/", views_errors.order_error_action, name="order-error-action"),
    path("connection/<int:pk>/", views.connection_orders, name="connection-orders"),
]
