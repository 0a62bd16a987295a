"""`python manage.py create_tenant NAME --username U --password P` prints an API token."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from connections.models import Membership, Tenant


def create_tenant(*args):
    out, err = StringIO(), StringIO()
    call_command("create_tenant", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_creates_the_tenant_and_a_manager_and_prints_only_the_token(db):
    out, err = create_tenant("Carol's Shop", "--username", "carol", "--password", "s3cret-pw")

    token = out.strip()
    assert out.count("\n") == 1 and len(token) == 40
    user = get_user_model().objects.get(username="carol")
    assert Token.objects.get(key=token).user == user
    assert user.check_password("s3cret-pw")
    tenant = Tenant.objects.get(name="Carol's Shop")
    assert Membership.objects.get(user=user, tenant=tenant).role == Membership.Role.MANAGER
    assert "new user 'carol'" in err


def test_the_printed_token_authenticates_on_the_api(db):
    from rest_framework.authentication import TokenAuthentication

    out, _ = create_tenant("Carol's Shop", "--username", "carol", "--password", "pw")
    user, _ = TokenAuthentication().authenticate_credentials(out.strip())
    assert user.username == "carol"


def test_an_existing_user_is_attached_as_manager(manager):
    out, err = create_tenant("Second Shop", "--username", manager.username, "--password", "pw2")
    assert Token.objects.get(key=out.strip()).user == manager
    assert manager.memberships.count() == 2
    assert "existing user" in err


def test_an_existing_tenant_name_is_a_clear_error(tenant):
    with pytest.raises(CommandError, match="already exists"):
        create_tenant(tenant.name, "--username", "carol", "--password", "pw")


def test_username_and_password_are_required(db):
    with pytest.raises(CommandError, match="--username"):
        create_tenant("Shop", "--password", "pw")
    with pytest.raises(CommandError, match="--password"):
        create_tenant("Shop", "--username", "carol")
    assert not Tenant.objects.exists()
