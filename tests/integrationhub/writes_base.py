"""One write of the hub, as tests/integrationhub/test_roles.py tries it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.integrationhub.tenant_world import World


@dataclass(frozen=True)
class Write:
    """One write: where it goes (URL name and method), the action of NEEDS it is, and the
    request that does it for tenant `w`."""

    url_name: str
    method: str
    action: str
    url: Callable[[World], str]
    data: Callable[[World], dict] = lambda w: {}
    api: bool = False
    #: The body is left empty: an allowed role gets the form's 400 (its role check passed).
    empty_form: bool = False

    @property
    def id(self) -> str:
        return f"{'api' if self.api else 'screen'}:{self.url_name}:{self.method}:{self.action}"
