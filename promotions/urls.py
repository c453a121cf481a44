from django.urls import path

from promotions import views

app_name = "promotions"

urlpatterns = [
    path("cart/discount/", views.apply_code, name="apply_code"),
    path("cart/discount/remove/", views.remove_code, name="remove_code"),
]
