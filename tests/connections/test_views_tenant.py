"""The tenant's settings page (retention): members see it, managers change it, and it only
ever acts on the user's own current tenant."""

import pytest
from django.urls import reverse

from connections.models import AuditEvent
from tests.connections.screens import ROLES, client_for

URL = reverse("tenant-settings")
VALID = {"section": "retention", "log_retention_days": "14", "pii_retention_days": "365"}


@pytest.mark.parametrize("role", ROLES)
def test_saving_the_retention_by_role(as_role, role, tenant, other_tenant):
    response = as_role(role).post(URL, VALID)
    tenant.refresh_from_db()
    other_tenant.refresh_from_db()
    if role == "manager":
        assert response.status_code == 302
        assert (tenant.log_retention_days, tenant.pii_retention_days) == (14, 365)
    else:
        expected = {"anonymous": 302, "outsider": 302, "viewer": 403, "operator": 403}[role]
        assert response.status_code == expected
        assert (tenant.log_retention_days, tenant.pii_retention_days) == (30, None)
    # An outsider's save can only ever reach its own tenant.
    changed_other = role == "outsider"
    assert (other_tenant.log_retention_days == 14) is changed_other


def test_the_page_shows_the_settings_and_a_viewer_cannot_edit_them(viewer, tenant):
    page = client_for(viewer).get(URL).content.decode()
    assert "Data retention" in page and "Delete run logs after (days)" in page
    assert "Only a manager can change settings." in page
    assert "<fieldset disabled>" in page


def test_out_of_range_values_are_refused_with_a_message(manager, tenant):
    response = client_for(manager).post(URL, {**VALID, "log_retention_days": "0"})
    tenant.refresh_from_db()
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    assert tenant.log_retention_days == 30


def test_a_blank_personal_data_retention_keeps_personal_data(manager, tenant):
    tenant.pii_retention_days = 90
    tenant.save()
    client_for(manager).post(URL, {**VALID, "pii_retention_days": ""})
    tenant.refresh_from_db()
    assert tenant.pii_retention_days is None


def test_a_change_is_in_the_audit_trail(manager, tenant):
    client_for(manager).post(URL, VALID)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TENANT_SETTINGS_CHANGED)
    assert event.tenant == tenant and event.actor == manager
    assert event.details == {"log_retention_days": 14, "pii_retention_days": 365}


def test_the_user_menu_links_to_the_page(manager):
    assert URL in client_for(manager).get(reverse("home")).content.decode()
