"""What the layers above add to the CONNECTIONS screens (connections.hooks)."""

from django.db.models import Exists, OuterRef

from connections import hooks
from connections.models import Connection
from connections.selectors import connections_with_error_flag


def test_without_a_registered_flag_no_connection_has_errors(monkeypatch, connection):
    monkeypatch.setattr(hooks, "_error_flags", [])
    flagged = connections_with_error_flag(queryset=Connection.objects.all())
    assert [c.has_order_errors for c in flagged] == [False]


def test_any_registered_flag_raises_the_error_flag(monkeypatch, connection, other_connection):
    def named_main():
        return Exists(Connection.objects.filter(pk=OuterRef("pk"), name=connection.name))

    def never():
        return Exists(Connection.objects.none())

    monkeypatch.setattr(hooks, "_error_flags", [])
    hooks.error_flag_register(never)
    hooks.error_flag_register(named_main)
    hooks.error_flag_register(named_main)  # registering twice counts once
    flagged = connections_with_error_flag(queryset=Connection.objects.order_by("pk"))
    assert {c.pk: c.has_order_errors for c in flagged} == {
        connection.pk: True,
        other_connection.pk: False,
    }
    assert len(hooks._error_flags) == 2


def test_live_parts_are_rendered_once_each_in_registration_order(monkeypatch, connection):
    def first(request, connection):
        return f'<span id="a" data-live-part>{connection.pk}</span>'

    def second(request, connection):
        return '<span id="b" data-live-part></span>'

    monkeypatch.setattr(hooks, "_live_parts", [])
    hooks.live_part_register(first)
    hooks.live_part_register(second)
    hooks.live_part_register(first)  # registering twice counts once
    assert hooks.live_parts(None, connection) == [
        f'<span id="a" data-live-part>{connection.pk}</span>',
        '<span id="b" data-live-part></span>',
    ]
