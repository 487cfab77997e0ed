"""The hooks of the networking into the layers below, registered once from ExchangeConfig.ready(): nothing below
knows the exchange exists."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save


def connect() -> None:
    from cases.timeline import after_transition
    from exchange.networking import records, services, tasks  # noqa: F401  (tasks: registers the Celery tasks)

    after_transition(services.on_case_transition, reports=False)  # new reports go up with their next step
    post_save.connect(services.on_order_saved, sender="hotlines.WorkOrder", dispatch_uid="exchange-order")
    post_save.connect(services.on_bulletin_saved, sender="evaluation.Bulletin", dispatch_uid="exchange-bulletin")
    for model in ("grids.ClassMapping", "grids.MinorClass"):
        post_save.connect(records.clear_mapping_cache, sender=model, dispatch_uid=f"exchange-map-{model}")
        post_delete.connect(records.clear_mapping_cache, sender=model, dispatch_uid=f"exchange-unmap-{model}")
    post_save.connect(services.clear_peer_cache, sender="exchange.Peer", dispatch_uid="exchange-peer")
    post_delete.connect(services.clear_peer_cache, sender="exchange.Peer", dispatch_uid="exchange-peer-gone")
