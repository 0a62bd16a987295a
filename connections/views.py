from django.conf import settings
from django.shortcuts import render


def home(request):
    return render(request, "connections/home.html", {"api_url": settings.BIGCOMMERCE_API_URL})
