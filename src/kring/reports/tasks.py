"""Background work of the reports app: webhook deliveries."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    from .webhooks import deliver

    return str(deliver(delivery_id))
