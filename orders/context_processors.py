from orders.selectors import cart_item_count


def cart_summary(request):
    return {"cart_count": cart_item_count(request)}
