"""The CONNECTIONS screens (server-rendered), one module per screen: the list (`list`), its
saved views (`saved_views`), Create connection (`create`), the connection page's own tabs
(`detail`) and the actions (`actions`); shared parts in `common`.

Rules kept in every view: anonymous users go to the log-in page; another tenant's objects are a
404 and a role that does not allow an action is a 403 whatever the buttons showed (both by
`connections.access`); actions are POST only (CSRF-checked). Writes go through the services; a
service's ValidationError becomes the form's or the page's message.
"""

from .actions import connection_action, connection_bulk_action
from .common import connection_page
from .create import connection_create
from .detail import (
    connection_credentials,
    connection_detail,
    connection_rename,
    connection_settings,
)
from .list import columns_save, connection_list, connection_open, tenant_switch
from .saved_views import view_delete, view_save, view_update
from .tenant import tenant_settings

__all__ = [
    "columns_save",
    "connection_action",
    "connection_bulk_action",
    "connection_create",
    "connection_credentials",
    "connection_detail",
    "connection_list",
    "tenant_settings",
    "connection_open",
    "connection_page",
    "connection_rename",
    "connection_settings",
    "tenant_switch",
    "view_delete",
    "view_save",
    "view_update",
]
