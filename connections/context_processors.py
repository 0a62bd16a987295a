POPUP_SESSION_KEY = "hub_popup"


def tenancy(request):
    """The header's tenant switcher and current role, and a pending pop-up, for every template.

    `hub_popup` is a callable so that only the template that shows it (base.html) takes it
    out of the session; fragments rendered for live refresh leave it alone."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "tenancy"):
        return {}
    return {
        "tenancy": request.tenancy,
        "hub_popup": lambda: request.session.pop(POPUP_SESSION_KEY, None),
    }
