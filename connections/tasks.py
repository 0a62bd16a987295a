from celery import shared_task


@shared_task
def connection_delete_task(connection_id: int) -> None:
    from .services import connection_delete

    connection_delete(connection_id=connection_id)
