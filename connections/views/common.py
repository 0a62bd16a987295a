"""What every CONNECTIONS screen (and the screens of the layers above that show a connection's
tabs) shares: the connection page frame, messages, and safe redirects."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..context_processors import POPUP_SESSION_KEY
from ..forms import ConnectionNameForm
from ..hooks import live_parts
from ..models import Connection


def connection_page(
    request, connection, membership, tab: str, template: str, extra: dict, status=200
):
    """A tab of the connection page: the header (name, actions) and the tab bar around it."""
    context = {
        "connection": connection,
        "membership": membership,
        "can_operate": membership.can_operate,
        "can_manage": membership.can_manage,
        "is_deleting": connection.status == Connection.Status.DELETING,
        "tab": tab,
        "name_form": extra.pop("name_form", None)
        or ConnectionNameForm(initial={"name": connection.name}),
        **extra,
    }
    return render(request, template, context, status=status)


def connection_fragment(request, connection, template: str, context: dict) -> HttpResponse:
    """A live fragment of the connection page (what a `data-live-url` answers), followed by
    the registered live parts, so that one refresh also updates e.g. the tab badges."""
    fragment = render_to_string(template, {"connection": connection, **context}, request=request)
    return HttpResponse(fragment + "".join(live_parts(request, connection)))


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def form_add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field keys it has, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def popup_show(request, *, title: str, text: str, link: str = "", link_label: str = "") -> None:
    """A pop-up shown once on the next full page (e.g. "Sync triggered")."""
    request.session[POPUP_SESSION_KEY] = {
        "title": title,
        "text": text,
        "link": link,
        "link_label": link_label,
    }


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def list_url(query: str = "") -> str:
    """The CONNECTIONS list with a query string the list made itself (urlencoded)."""
    query = (query or "").replace("\r", "").replace("\n", "").lstrip("?")
    return reverse("home") + (f"?{query}" if query else "")


def refuse_when_deleting(request, connection) -> bool:
    if connection.status == Connection.Status.DELETING:
        messages.error(request, f"“{connection.name}” is being deleted; nothing was changed.")
        return True
    return False


def names(connections) -> str:
    return ", ".join(f"“{c.name}”" for c in connections)
