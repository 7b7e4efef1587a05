"""Webhooks (herning.api.webhooks): the change feed's events, as the token reads them, POSTed to
a real local HTTP server with an HMAC signature; retried, and dead after the last attempt
(docs/api.md, "Webhooks")."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from herning.api import webhooks
from herning.api.models import ApiToken, WebhookDelivery
from herning.api.tasks import deliver_webhook
from tests.api.test_changes import _case

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        status = type(self).answers.pop(0) if type(self).answers else 200
        self.send_response(status)
        if 300 <= status < 400:  # a redirect to another of its paths (tests/api/test_webhook_api.py)
            self.send_header("Location", "/elsewhere")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.answers, Receiver.received = [], []
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", Receiver
    server.shutdown()
    server.server_close()


class RunHere:
    """The delivery task run in the test's process (``apply``: retries at once, without the
    pause), instead of queued for a worker."""

    @staticmethod
    def delay(pk):
        return deliver_webhook.apply(args=[pk])


@pytest.fixture
def subscription(org, receiver, settings, monkeypatch):
    from tests.factories import Role, staff

    monkeypatch.setattr(webhooks, "deliver_task", lambda: RunHere)
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    user = staff(
        username="hook-integration",
        municipality=org.municipality,
        roles=[(Role.TEAM_LEADER, org.team_a)],
        is_service_user=True,
    )
    token, _key = ApiToken.issue(user=user, name="hooks", read_only=True)
    return webhooks.subscribe(token=token, url=receiver[0], resources=["case"])


def _dispatch_and_deliver():
    webhooks.dispatch()


def test_a_change_the_token_reads_is_delivered_signed(org, subscription, receiver):
    _url, server = receiver
    mine = _case(org, org.team_a)
    _case(org, org.team_b)  # not the token's to read: never sent
    _dispatch_and_deliver()
    assert len(server.received) == 1
    headers, body = server.received[0]
    event = json.loads(body)
    assert (event["resource"], event["id"], event["kind"]) == ("case", str(mine.pk), "created")
    assert webhooks.verify(subscription.secret, body, headers["Herning-Signature"])
    assert not webhooks.verify("another secret", body, headers["Herning-Signature"])
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED
    # Dispatched once: a second run sends nothing again.
    _dispatch_and_deliver()
    assert len(server.received) == 1


def test_a_failing_receiver_is_retried_then_the_delivery_is_dead(org, subscription, receiver):
    _url, server = receiver
    server.answers = [500, 503, 500]
    _case(org, org.team_a)
    _dispatch_and_deliver()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (WebhookDelivery.State.DEAD, 3, 500)
    assert len(server.received) == 3
    webhooks.redeliver(delivery)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED


def test_a_retry_succeeds_after_a_failure(org, subscription, receiver):
    _url, server = receiver
    server.answers = [502]
    _case(org, org.team_a)
    _dispatch_and_deliver()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.DELIVERED, 2)


def test_the_signature_is_checked_with_its_time():
    body = b'{"id":"1"}'
    header = webhooks.sign("s3cret", body, 1_800_000_000)
    assert header.startswith("t=1800000000,v1=")
    assert webhooks.verify("s3cret", body, header, now=1_800_000_100)
    assert not webhooks.verify("s3cret", body, header, now=1_800_001_000)  # too old: a replay
    assert not webhooks.verify("s3cret", body + b" ", header, now=1_800_000_100)


def test_backoff_grows_and_is_bounded():
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert webhooks.backoff_seconds(30) == 6 * 3600


def test_the_verification_example_in_the_documentation_accepts_our_signature():
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("docs", "api.md").read_text()
    section = text[text.index("## Webhooks") :]
    example = section[
        section.index("```python") + len("```python") : section.index("```\n", section.index("```python") + 9)
    ]
    namespace: dict = {}
    exec(example, namespace)  # noqa: S102 - the documentation's own example
    body = b'{"resource":"case","id":"41"}'
    header = webhooks.sign("s3cret", body, int(__import__("time").time()))
    assert namespace["verified"]("s3cret", body, header)
    assert not namespace["verified"]("other", body, header)
