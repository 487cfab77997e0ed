"""``manage.py exchange_resync PEER [--resend]``: queue everything a peer receives (a new peer, or one that lost its
data), then let beat deliver it (or ``--deliver`` to send it now from this process)."""

from django.core.management.base import BaseCommand, CommandError

from exchange.networking.models import Delivery, DeliveryState, Peer
from exchange.networking.services import resync


class Command(BaseCommand):
    help = "Queue the current version of every record an upper platform receives."

    def add_arguments(self, parser):
        parser.add_argument("peer", help="the peer's code")
        parser.add_argument(
            "--resend", action="store_true", help="also queue again what the peer already acknowledged or refused"
        )
        parser.add_argument("--deliver", action="store_true", help="send the queue now instead of waiting for beat")

    def handle(self, *args, peer, resend, deliver, **options):
        found = Peer.objects.filter(code=peer).first()
        if found is None:
            raise CommandError(f"no peer with code {peer!r}")
        if not found.enabled:
            raise CommandError(f"peer {peer!r} is disabled: enable it first")
        if resend:
            again = Delivery.objects.filter(peer=found).exclude(state=DeliveryState.QUEUED)
            self.stdout.write(f"queued again: {again.update(state=DeliveryState.QUEUED, last_error='')}")
        counts = resync(found)
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()) or "nothing to send")
        if deliver:
            from exchange.networking.delivery import deliver_peer

            while True:
                outcome = deliver_peer(found.pk, force=True)
                self.stdout.write(f"sent {outcome.get('records', 0)} records in {outcome.get('batches', 0)} batches")
                if outcome.get("failed") or not outcome.get("records"):
                    break
