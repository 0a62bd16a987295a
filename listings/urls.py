from django.urls import path

from . import views

urlpatterns = [
    path("", views.listing_list, name="listings"),
    path("actions/", views.listing_action, name="listing-action"),
    path("connections/<int:pk>/settings/", views.listing_settings_save, name="listing-settings"),
]
