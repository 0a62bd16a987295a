"""`python manage.py runflow CONNECTION_ID KIND`: run one dataflow in the foreground.

Prints the run's summary as one JSON line on stdout (status, api_requests, fetched, created,
updated, skipped, failed, ...); logs go to stderr. Exit status 0 when the run succeeded or was
partial (some records failed: see `failed` and the run's log), 1 when the run failed or could
not start.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from connections.models import Connection
from dataflows.models import Dataflow, Run
from dataflows.registry import flow_specs, kind_label
from dataflows.services import dataflow_run_foreground
from dataflows.stopping import Interrupted, interrupt_on_sigterm


def _kinds() -> list[str]:
    return [spec.kind for spec in flow_specs()]


class Command(BaseCommand):
    help = (
        "Run one dataflow of a connection now, in the foreground (trigger: manual); print its "
        "run summary as one JSON line; exit 1 when the run failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("connection_id", help="the connection's ID (CONNECTIONS list)")
        parser.add_argument("kind", help=f"the dataflow kind: {', '.join(_kinds())}")

    def handle(self, *args, connection_id, kind, **options):
        try:
            pk = int(connection_id)
        except ValueError:
            raise CommandError(
                f"CONNECTION_ID must be a number (the ID column of CONNECTIONS), not "
                f"{connection_id!r}."
            ) from None
        connection = Connection.objects.filter(pk=pk).select_related("tenant").first()
        if connection is None:
            raise CommandError(f"There is no connection with ID {pk}.")
        kind = kind.strip().lower().replace("-", "_")
        if kind not in _kinds() and not connection.dataflows.filter(kind=kind).exists():
            raise CommandError(
                f"Unknown dataflow kind {kind!r}; use one of: {', '.join(_kinds())}."
            )
        dataflow = Dataflow.objects.filter(connection=connection, kind=kind).first()
        if dataflow is None:
            raise CommandError(
                f"Connection {pk} ({connection.name}) has no {kind_label(kind)} dataflow."
            )
        dataflow.connection = connection
        interrupt_on_sigterm()  # recorded as interrupted, like Ctrl-C
        try:
            run = dataflow_run_foreground(dataflow=dataflow)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except Interrupted as exc:
            raise CommandError(f"Interrupted: {exc}", returncode=143) from exc

        summary = {
            **run.summary(),
            "connection_id": connection.pk,
            "trigger": run.trigger,
            "started_at": run.started_at.isoformat() if run.started_at else None,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "duration_s": (
                round((run.finished_at - run.started_at).total_seconds(), 3)
                if run.started_at and run.finished_at
                else None
            ),
        }
        self.stdout.write(json.dumps(summary, sort_keys=False))
        if run.status == Run.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed: {run.error_message}")
