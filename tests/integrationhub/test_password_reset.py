"""Password reset works where the hub can send mail, and is not offered where it cannot (it
would show success for a mail never sent)."""

import pytest
from django.core import mail

from tests.fixtures.tenants import make_user


@pytest.fixture
def alice(db):
    return make_user("alice", email="alice@example.com")


def test_with_mail_the_reset_link_is_mailed_and_sets_a_new_password(client, alice, settings):
    settings.PASSWORD_RESET_ENABLED = True

    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    form = client.get(link.strip(), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"},
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-pass-42")


@pytest.mark.parametrize(
    "path", ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/done/"]
)
def test_without_mail_password_reset_is_not_there(client, alice, settings, path):
    settings.PASSWORD_RESET_ENABLED = False

    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "alice@example.com"}).status_code == 404
    assert mail.outbox == []


@pytest.mark.parametrize("enabled", [True, False])
def test_the_log_in_page_offers_the_reset_only_with_mail(client, settings, enabled):
    settings.PASSWORD_RESET_ENABLED = enabled

    html = client.get("/accounts/login/").content.decode()

    assert ("Forgot your password?" in html) is enabled
