from pages.selectors import footer_links


def footer(request):
    return {"footer_links": footer_links()}
