"""The current tenant of a signed-in user: `request.tenancy`.

A user may belong to several tenants (staff see them all) and switches between them in the
header; the choice lives in the session. Everything is looked up lazily, once per request, so
requests that never look (the API, static files) pay nothing.
"""

from functools import cached_property

from .models import Membership, Tenant
from .selectors import membership_for, tenants_for_user

SESSION_KEY = "current_tenant_id"


class Tenancy:
    def __init__(self, request):
        self._request = request

    @cached_property
    def tenants(self) -> list[Tenant]:
        return list(tenants_for_user(user=self._request.user))

    @cached_property
    def tenant(self) -> Tenant | None:
        wanted = self._request.session.get(SESSION_KEY)
        for tenant in self.tenants:
            if tenant.pk == wanted:
                return tenant
        return self.tenants[0] if self.tenants else None

    @cached_property
    def membership(self) -> Membership | None:
        if self.tenant is None:
            return None
        return membership_for(user=self._request.user, tenant=self.tenant)

    @property
    def can_operate(self) -> bool:
        return bool(self.membership and self.membership.can_operate)

    @property
    def can_manage(self) -> bool:
        return bool(self.membership and self.membership.can_manage)

    def switch(self, tenant: Tenant) -> None:
        """Make `tenant` (one of the user's) the current one, for this and later requests."""
        self._request.session[SESSION_KEY] = tenant.pk
        self.__dict__["tenant"] = tenant
        self.__dict__.pop("membership", None)


class CurrentTenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenancy = Tenancy(request)
        return self.get_response(request)
