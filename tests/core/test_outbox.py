"""The transactional outbox: written with the change, delivered once after the commit, retried when it fails."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from core.models import Notification, OutboxMessage
from tests.core.outbox_handlers import STATE

HANDLER = "tests.core.outbox_handlers.note"


@pytest.fixture(autouse=True)
def _handler_state():
    STATE.update(fail=False, pause=0.0)
    yield
    STATE.update(fail=False, pause=0.0)


@pytest.fixture
def someone(make_user):
    return make_user("someone", "operator")


def notes(user) -> int:
    return Notification.objects.filter(recipient=user, kind="outbox_test").count()


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_nothing_to_deliver(someone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.enqueue(HANDLER, user_id=someone.pk, message="never")
            raise RuntimeError("the change fails")
    assert not OutboxMessage.objects.exists() and notes(someone) == 0


@pytest.mark.django_db
def test_a_committed_change_is_delivered_at_once_and_only_once(someone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = outbox.enqueue(HANDLER, user_id=someone.pk, message="hello")
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 1 and notes(someone) == 1
    assert outbox.relay() == 0 and outbox.deliver(message.pk) is False and notes(someone) == 1


@pytest.mark.django_db
def test_a_misspelt_handler_fails_the_change():
    with pytest.raises(ImportError):
        outbox.enqueue("core.outbox.no_such_handler")


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_back_off_keeping_its_error(someone, django_capture_on_commit_callbacks):
    STATE["fail"] = True
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = outbox.enqueue(HANDLER, user_id=someone.pk, message="later")
    message.refresh_from_db()
    assert message.delivered_at is None and message.attempts == 1 and "outside system is down" in message.last_error
    assert message.due_at > timezone.now() + timedelta(seconds=3)
    assert outbox.relay() == 0  # not due yet
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())
    assert outbox.relay() == 0  # still failing: attempt 2, a longer wait
    message.refresh_from_db()
    assert message.attempts == 2 and message.due_at > timezone.now() + timedelta(seconds=8)

    STATE["fail"] = False
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())
    assert outbox.relay() == 1 and notes(someone) == 1
    message.refresh_from_db()
    assert message.delivered_at and message.attempts == 3 and message.last_error == ""
    assert outbox.relay() == 0 and notes(someone) == 1


@pytest.mark.django_db(transaction=True)
def test_two_relays_racing_for_one_message_run_it_once(someone):
    message = OutboxMessage.objects.create(handler=HANDLER, payload={"user_id": someone.pk, "message": "race"})
    STATE["pause"] = 0.5
    results = []

    def relay():
        try:
            results.append(outbox.deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True] and notes(someone) == 1


@pytest.mark.django_db
def test_purge_keeps_pending_messages(someone):
    old = timezone.now() - timedelta(days=30)
    delivered = OutboxMessage.objects.create(handler=HANDLER, payload={}, delivered_at=old)
    pending = OutboxMessage.objects.create(handler=HANDLER, payload={}, created_at=old)
    assert outbox.purge(days=7) == 1
    assert not OutboxMessage.objects.filter(pk=delivered.pk).exists()
    assert OutboxMessage.objects.filter(pk=pending.pk).exists()


@pytest.mark.django_db
def test_the_admin_lists_the_backlog_and_delivers_on_request(client, make_user, someone):
    admin = make_user("root", "admin", is_staff=True, is_superuser=True)
    message = OutboxMessage.objects.create(
        handler=HANDLER, payload={"user_id": someone.pk, "message": "stuck"}, attempts=3, last_error="boom"
    )
    client.force_login(admin)
    page = client.get("/admin/core/outboxmessage/?delivery=pending")
    assert page.status_code == 200 and HANDLER in page.content.decode()
    response = client.post(
        "/admin/core/outboxmessage/", {"action": "deliver_now", "_selected_action": [message.pk]}, follow=True
    )
    assert response.status_code == 200 and notes(someone) == 1
    message.refresh_from_db()
    assert message.delivered_at is not None
