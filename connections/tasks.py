from celery import shared_task


@shared_task
def connection_delete_task(connection_id: int) -> None:
    from .services import connection_delete

    connection_delete(connection_id=connection_id)


# The webhooks' tasks (found by Celery's autodiscovery of `<app>.tasks`).
from .webhooks.tasks import webhooks_check_task, webhooks_sync_task  # noqa: E402, F401
