from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "checkout"

    def ready(self):
        from connections.hooks import tab_register

        tab_register("Checkout", "checkout-tab", "checkout", order=100)
