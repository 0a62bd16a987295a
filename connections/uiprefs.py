"""The CONNECTIONS list's state: saved views (filter + sort + columns), columns per user.

The default view "All connections" is not stored: it has no filter, sorts by name and shows the
columns the user chose for it (ListPreference.columns). A saved view keeps its own columns.
Filter and sort can be changed ad hoc in the URL; "Save as new view" / "Update view" keeps them.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from .drivers import DRIVERS
from .models import (
    CONNECTION_LIST_COLUMNS,
    DEFAULT_CONNECTION_LIST_COLUMNS,
    Connection,
    ListPreference,
    SavedListView,
)

LIST_KEY = "connections"
DEFAULT_VIEW_NAME = "All connections"
DEFAULT_SORT = "name"
FILTER_KEYS = ("q", "status", "errors", "driver")
STATUS_FILTERS = {
    Connection.Status.ACTIVE.value: "Active",
    Connection.Status.INACTIVE.value: "Inactive",
    Connection.Status.DELETING.value: "Deleting…",
}
ERROR_FILTERS = {"yes": "Yes", "no": "No"}
SORT_FIELDS = {
    "name": "name",
    "status": "status",
    "errors": "has_order_errors",
    "driver": "driver",
    "id": "id",
    "store_hash": "store_hash",
    "store_name": "store_name",
    "created": "created_at",
}
MAX_VIEW_NAME = 80


def clean_filters(raw) -> dict:
    """Only known keys with valid values; blanks dropped."""
    raw = raw or {}
    filters = {}
    q = str(raw.get("q") or "").replace("\x00", "").strip()[:100]  # PostgreSQL stores no NUL
    if q:
        filters["q"] = q
    if raw.get("status") in STATUS_FILTERS:
        filters["status"] = raw["status"]
    if raw.get("errors") in ERROR_FILTERS:
        filters["errors"] = raw["errors"]
    if raw.get("driver") in DRIVERS:
        filters["driver"] = raw["driver"]
    return filters


def clean_sort(raw) -> str:
    raw = str(raw or "")
    return raw if raw.lstrip("-") in SORT_FIELDS else DEFAULT_SORT


def clean_columns(raw) -> list[str]:
    columns = list(dict.fromkeys(c for c in (raw or []) if c in CONNECTION_LIST_COLUMNS))
    return columns or list(DEFAULT_CONNECTION_LIST_COLUMNS)


def preference_for(*, user) -> ListPreference:
    pref, _ = ListPreference.objects.select_related("view").get_or_create(
        user=user, list_key=LIST_KEY
    )
    return pref


def views_for(*, user) -> QuerySet[SavedListView]:
    return SavedListView.objects.filter(user=user, list_key=LIST_KEY)


@dataclass
class ListState:
    view: SavedListView | None
    views: list[SavedListView]
    filters: dict
    sort: str
    columns: list[str]
    preference: ListPreference
    all_columns: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def view_name(self) -> str:
        return self.view.name if self.view else DEFAULT_VIEW_NAME

    @property
    def view_id(self) -> int:
        return self.view.pk if self.view else 0

    @property
    def base_filters(self) -> dict:
        return clean_filters(self.view.filters) if self.view else {}

    @property
    def base_sort(self) -> str:
        return clean_sort(self.view.sort) if self.view else DEFAULT_SORT

    @property
    def modified(self) -> bool:
        """Filter or sort differ from what the view has saved."""
        return self.filters != self.base_filters or self.sort != self.base_sort

    @property
    def column_headers(self) -> list[tuple[str, str]]:
        return [(key, CONNECTION_LIST_COLUMNS[key]) for key in self.columns]

    def query(self, **overrides) -> str:
        """The query string that reproduces this state (with overrides; None drops a key)."""
        params = {"view": self.view_id, **self.filters, "sort": self.sort}
        params.update(overrides)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def sort_query(self, column: str) -> str:
        """Click on a header: sort by it ascending, or flip it when it is the sort already."""
        new = f"-{column}" if self.sort == column else column
        return self.query(sort=new)

    def sort_direction(self, column: str) -> str:
        if self.sort == column:
            return "asc"
        if self.sort == f"-{column}":
            return "desc"
        return ""


def list_state(*, user, params) -> ListState:
    """Work out the list's state from the request's GET params and the user's preference.

    `view` selects a saved view (0: All connections) and is remembered; filter and sort keys
    present in the URL override the view's own (present but blank means "no filter")."""
    pref = preference_for(user=user)
    views = list(views_for(user=user))
    view = pref.view
    if "view" in params:
        wanted = str(params.get("view") or "0")
        view = next((v for v in views if str(v.pk) == wanted), None)
        if view != pref.view:
            pref.view = view
            pref.save(update_fields=["view", "updated_at"])
    filters = clean_filters(view.filters) if view else {}
    for key in FILTER_KEYS:
        if key in params:
            filters.pop(key, None)
    filters.update(clean_filters({k: params.get(k) for k in FILTER_KEYS if k in params}))
    sort = clean_sort(params.get("sort")) if "sort" in params else None
    if sort is None:
        sort = clean_sort(view.sort) if view else DEFAULT_SORT
    columns = clean_columns(view.columns if view else pref.columns)
    shown = set(columns)
    all_columns = [(key, CONNECTION_LIST_COLUMNS[key], True) for key in columns] + [
        (key, label, False) for key, label in CONNECTION_LIST_COLUMNS.items() if key not in shown
    ]
    return ListState(
        view=view,
        views=views,
        filters=filters,
        sort=sort,
        columns=columns,
        preference=pref,
        all_columns=all_columns,
    )


def sort_queryset(*, state: ListState, queryset: QuerySet[Connection]) -> QuerySet:
    """The state's sort (filtering is `selectors.connection_list`'s). `queryset` must carry
    the `has_order_errors` annotation."""
    desc = state.sort.startswith("-")
    order = SORT_FIELDS[state.sort.lstrip("-")]
    return queryset.order_by(f"-{order}" if desc else order, "-id" if desc else "id")


def columns_save(*, user, view_id, order: list[str], shown: list[str], move: str = "") -> list:
    """The columns bar: `order` is every column in the bar's order, `shown` the ticked ones,
    `move` an optional "key:up" / "key:down". Saves to the current saved view, or to the
    user's All-connections columns. Returns the columns now shown."""
    order = [c for c in dict.fromkeys(order) if c in CONNECTION_LIST_COLUMNS]
    order += [c for c in CONNECTION_LIST_COLUMNS if c not in order]
    if move and ":" in move:
        key, direction = move.rsplit(":", 1)
        if key in order:
            i = order.index(key)
            j = i - 1 if direction == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
    shown_set = set(shown)
    columns = [c for c in order if c in shown_set]
    if not columns:
        raise ValueError("Keep at least one column shown.")
    view = views_for(user=user).filter(pk=view_id).first() if view_id else None
    if view is not None:
        view.columns = columns
        view.save(update_fields=["columns"])
    else:
        pref = preference_for(user=user)
        pref.columns = columns
        pref.save(update_fields=["columns", "updated_at"])
    return columns


def view_save_new(*, user, name: str, filters: dict, sort: str, columns: list[str]):
    name = name.strip()[:MAX_VIEW_NAME]
    if not name:
        raise ValueError("Give the view a name.")
    if not name.isprintable():
        raise ValueError("A view name has no control characters; type it again.")
    if name.casefold() == DEFAULT_VIEW_NAME.casefold():
        raise ValueError(f"“{DEFAULT_VIEW_NAME}” is the built-in view; choose another name.")
    try:
        with transaction.atomic():
            view = SavedListView.objects.create(
                user=user,
                list_key=LIST_KEY,
                name=name,
                filters=clean_filters(filters),
                sort=clean_sort(sort),
                columns=clean_columns(columns),
            )
    except IntegrityError as exc:
        raise ValueError(f"You already have a view named “{name}”.") from exc
    pref = preference_for(user=user)
    pref.view = view
    pref.save(update_fields=["view", "updated_at"])
    return view


def view_update(*, view: SavedListView, filters: dict, sort: str) -> SavedListView:
    view.filters = clean_filters(filters)
    view.sort = clean_sort(sort)
    view.save(update_fields=["filters", "sort"])
    return view
