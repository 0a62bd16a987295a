"""The CONNECTIONS list's VIEW menu: save the current filter and sort as a named view, update
it, delete it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .. import uiprefs
from .common import list_url


def _posted_filters(request) -> tuple[dict, str]:
    filters = uiprefs.clean_filters({k: request.POST.get(k) for k in uiprefs.FILTER_KEYS})
    return filters, uiprefs.clean_sort(request.POST.get("sort"))


@login_required
@require_POST
def view_save(request):
    """VIEW > Save current view as…: the current filter, sort and columns, under a name."""
    filters, sort = _posted_filters(request)
    state = uiprefs.list_state(user=request.user, params={})
    try:
        view = uiprefs.view_save_new(
            user=request.user,
            name=request.POST.get("name", ""),
            filters=filters,
            sort=sort,
            columns=state.columns,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(list_url(request.POST.get("qs", "")))
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(list_url(f"view={view.pk}"))


@login_required
@require_POST
def view_update(request, pk: int):
    view = get_object_or_404(uiprefs.views_for(user=request.user), pk=pk)
    filters, sort = _posted_filters(request)
    uiprefs.view_update(view=view, filters=filters, sort=sort)
    messages.success(request, f"View “{view.name}” updated.")
    return redirect(list_url(f"view={view.pk}"))


@login_required
@require_POST
def view_delete(request, pk: int):
    view = get_object_or_404(uiprefs.views_for(user=request.user), pk=pk)
    name = view.name
    view.delete()
    messages.success(request, f"View “{name}” deleted.")
    return redirect(list_url("view=0"))
