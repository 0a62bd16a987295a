from tests.catalog.helpers import bc_client, no_task_is_sent, run_flow, store  # noqa: F401
