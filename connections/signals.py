"""What connections tell the layers above them. Connections never import the engine or the
apps: ENABLE, DISABLE, DELETE change the connection and send one of these; the engine
(schedules, queued runs) and each app (its own rows) react in their receivers.

Every signal is sent with `sender=Connection` and `connection=<the Connection>`.
"""

from django.dispatch import Signal

#: A connection was created (inside the creating transaction): the engine adds its dataflows.
connection_created = Signal()
#: ENABLE: the connection became active (inside the transaction).
connection_enabled = Signal()
#: DISABLE: the connection became inactive (inside the transaction).
connection_disabled = Signal()
#: DELETE started: the connection is marked Deleting… (inside the transaction); stop its work.
connection_deleting = Signal()
#: The background delete is about to remove the connection's row: delete your rows of it now,
#: in batches (`batch_size` is passed). Receivers must be idempotent: a re-sent delete task
#: calls them again.
connection_purge = Signal()
