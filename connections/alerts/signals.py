"""What alerts tell the layers above (sent inside the transaction, `sender=Alert`,
`alert=<the Alert>`): e.g. the engine pauses a connection's schedules while the store refuses
its credentials and resumes them when the alert resolves."""

from django.dispatch import Signal

#: A new alert opened (not sent for another occurrence of an open one).
alert_opened = Signal()
#: An open alert resolved.
alert_resolved = Signal()
