"""The domain errors of the order services; `str(error)` is the message shown to the customer."""


class OrderError(Exception):
    """Base of the domain errors below; `str(error)` is the message shown to the customer."""


class EmptyCart(OrderError):
    def __init__(self):
        super().__init__("Your cart is empty.")


class OutOfStock(OrderError):
    """Some items cannot be bought in the quantities asked; `problems` has one message each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class PaymentDeclined(OrderError):
    pass


class InvalidTransition(OrderError):
    pass
