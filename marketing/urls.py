from django.urls import path

from marketing import views

app_name = "marketing"

urlpatterns = [
    path("back-in-stock/", views.back_in_stock_request, name="back_in_stock"),
    path("cart/<str:token>/", views.guest_cart, name="guest_cart"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
