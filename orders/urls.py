from django.urls import path

from . import views

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("<int:pk>/", views.order_page, name="order-detail"),
    path("<int:pk>/reimport/", views.order_reimport, name="order-reimport"),
    path("errors/", views.order_error_list, name="order-errors"),
    path("errors/<slug:action>/", views.order_error_action, name="order-error-action"),
    path("connection/<int:pk>/", views.connection_orders, name="connection-orders"),
]
