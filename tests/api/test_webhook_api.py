"""``/api/v1/webhooks/`` (herning.api.webhook_api): an integration manages its own token's webhooks
(docs/api.md, "Webhooks"). Pings and redeliveries go to a real local HTTP server
(``tests/api/test_webhooks.py``'s receiver); the signature is checked as a receiver checks it."""

from __future__ import annotations

import json
import socket
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from herning.api import webhooks
from herning.api.models import ApiToken, ChangeEvent, WebhookDelivery, WebhookSubscription
from herning.audit.models import AuditEvent
from tests.access import AccessMatrix
from tests.api.base import ResourceMatrix, field_errors, outcome_for_all, problem, results
from tests.api.test_webhooks import RunHere, receiver  # noqa: F401  (the local receiver fixture)
from tests.fixtures import PERSONAS

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
NEW = {"url": "https://hooks.example.org/herning", "resources": ["case"], "kinds": ["created", "updated"]}


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def issue(user, *, read_only: bool = False) -> tuple[ApiToken, APIClient]:
    token, key = ApiToken.issue(user=user, name=f"hooks {user.username}", read_only=read_only)
    return token, token_client(key)


# Who gets what -------------------------------------------------------------------------------


class _TokenMatrix(ResourceMatrix):
    """Every persona calls with a token of their own; the webhook looked at is the advisor's
    token's. Another token's webhook is 404 for everything, its existence not revealed."""

    url = URL
    read_only = False

    @pytest.fixture
    def objects(self, org):
        tokens = {persona: issue(getattr(org, persona), read_only=self.read_only) for persona in PERSONAS}
        obj = webhooks.subscribe(token=tokens["advisor"][0], url="https://hooks.example.org/a")
        return SimpleNamespace(obj=obj, clients={p: client for p, (_t, client) in tokens.items()})

    def api_client(self, org, persona, objects):
        return objects.clients.get(persona) or APIClient()

    def create_payload(self, objects):
        return NEW

    def update_payload(self, objects):
        return {"active": False}


class TestWebhooksByToken(_TokenMatrix):
    detail = outcome_for_all(404, advisor=200)
    create = outcome_for_all(201)
    update = outcome_for_all(404, advisor=200)
    delete = outcome_for_all(404, advisor=204)


class TestWebhooksByReadOnlyToken(_TokenMatrix):
    """A read-only token reads its webhooks and changes nothing (403, as on every resource)."""

    read_only = True
    detail = outcome_for_all(404, advisor=200)
    create = outcome_for_all(403)
    update = outcome_for_all(403)
    delete = outcome_for_all(403)


class TestWebhooksBySession(ResourceMatrix):
    """A person logged in has no token, so no webhook: an empty list, 404 for a token's webhook,
    and 403 for making one (it belongs to a token)."""

    url = URL
    detail = outcome_for_all(404)
    create = outcome_for_all(403)
    update = outcome_for_all(404)
    delete = outcome_for_all(404)

    @pytest.fixture
    def objects(self, org):
        token, _client = issue(org.advisor)
        return SimpleNamespace(obj=webhooks.subscribe(token=token, url="https://hooks.example.org/a"))

    def create_payload(self, objects):
        return NEW

    def update_payload(self, objects):
        return {"active": False}


@pytest.fixture
def dead_delivery(org):
    token, client = issue(org.advisor)
    subscription = webhooks.subscribe(token=token, url="https://hooks.example.org/a")
    event = ChangeEvent.objects.create(resource="case", object_id="41", kind=ChangeEvent.Kind.UPDATED)
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event=event,
        state=WebhookDelivery.State.DEAD,
        attempts=8,
        last_status=503,
        last_error="Service Unavailable",
    )
    return SimpleNamespace(subscription=subscription, delivery=delivery, client=client, token=token)


class _SessionAction(AccessMatrix):
    """A webhook's actions, asked with a session: no person owns a webhook, so 404 for everyone."""

    expected = outcome_for_all(404)
    method = "post"

    @pytest.fixture
    def objects(self, org, dead_delivery):
        return dead_delivery


class TestWebhookRotateSecret(_SessionAction):
    url = lambda objects: f"{URL}{objects.subscription.pk}/rotate-secret/"  # noqa: E731


class TestWebhookPing(_SessionAction):
    url = lambda objects: f"{URL}{objects.subscription.pk}/ping/"  # noqa: E731


class TestWebhookDeliveries(_SessionAction):
    method = "get"
    url = lambda objects: f"{URL}{objects.subscription.pk}/deliveries/"  # noqa: E731


class TestWebhookDelivery(_SessionAction):
    method = "get"
    url = lambda objects: f"{URL}{objects.subscription.pk}/deliveries/{objects.delivery.pk}/"  # noqa: E731


class TestWebhookRedeliver(_SessionAction):
    url = lambda objects: f"{URL}{objects.subscription.pk}/deliveries/{objects.delivery.pk}/redeliver/"  # noqa: E731


# Behaviour -----------------------------------------------------------------------------------


def test_the_secret_is_shown_once_when_made(org):
    token, client = issue(org.advisor)
    made = client.post(URL, NEW, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    subscription = WebhookSubscription.objects.get(pk=body["id"])
    assert body["secret"] == subscription.secret and len(body["secret"]) >= 32
    assert (subscription.token, body["url"], body["resources"], body["kinds"], body["active"]) == (
        token,
        NEW["url"],
        ["case"],
        ["created", "updated"],
        True,
    )
    read = client.get(f"{URL}{body['id']}/")
    assert "secret" not in read.json()
    assert read["ETag"] == made["ETag"]  # the read's ETag: a PATCH may follow the creation at once
    assert all("secret" not in row for row in results(client.get(URL)))
    assert subscription.secret not in json.dumps(list(AuditEvent.objects.values("reason", "details")))


def test_every_change_is_one_audit_event_by_the_token_s_user(org):
    _token, client = issue(org.advisor)
    pk = client.post(URL, NEW, format="json").json()["id"]
    etag = client.get(f"{URL}{pk}/")["ETag"]
    changed = client.patch(f"{URL}{pk}/", {"kinds": []}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["kinds"] == []
    assert client.post(f"{URL}{pk}/rotate-secret/").status_code == 200
    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.WEBHOOK_CHANGE).order_by("at", "pk")
    assert [e.details["action"] for e in events] == ["created", "changed", "secret_rotated", "deleted"]
    assert {(e.actor, e.subject, e.municipality_id) for e in events} == {
        (org.advisor, org.advisor, org.advisor.municipality_id)
    }
    assert events[1].details["before"] == {"kinds": ["created", "updated"]}


def test_an_update_needs_if_match_and_a_stale_one_changes_nothing(org):
    _token, client = issue(org.advisor)
    made = client.post(URL, NEW, format="json")
    detail = f"{URL}{made.json()['id']}/"
    assert problem(client.patch(detail, {"active": False}, format="json"), 428)
    fresh = client.patch(detail, {"active": False}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert fresh.status_code == 200 and fresh.json()["active"] is False
    stale = client.patch(detail, {"active": True}, format="json", HTTP_IF_MATCH=made["ETag"])
    assert problem(stale, 412)
    assert WebhookSubscription.objects.get().active is False


def test_another_token_s_webhook_is_404_everywhere(org, dead_delivery):
    _token, other = issue(org.advisor)  # the same person, another token: not its webhook
    pk, delivery = dead_delivery.subscription.pk, dead_delivery.delivery.pk
    assert results(other.get(URL)) == []
    for response in (
        other.get(f"{URL}{pk}/"),
        other.patch(f"{URL}{pk}/", {"active": False}, format="json", HTTP_IF_MATCH="*"),
        other.delete(f"{URL}{pk}/"),
        other.post(f"{URL}{pk}/rotate-secret/"),
        other.post(f"{URL}{pk}/ping/"),
        other.get(f"{URL}{pk}/deliveries/"),
        other.get(f"{URL}{pk}/deliveries/{delivery}/"),
        other.post(f"{URL}{pk}/deliveries/{delivery}/redeliver/"),
    ):
        problem(response, 404)
    assert WebhookSubscription.objects.get().secret == dead_delivery.subscription.secret


def test_a_read_only_token_reads_its_webhooks_and_changes_nothing(org, dead_delivery):
    dead_delivery.token.scope = ApiToken.Scope.READ
    dead_delivery.token.save()
    client, pk = dead_delivery.client, dead_delivery.subscription.pk
    assert client.get(f"{URL}{pk}/").status_code == 200
    assert client.get(f"{URL}{pk}/deliveries/").status_code == 200
    for path in ("rotate-secret/", "ping/", f"deliveries/{dead_delivery.delivery.pk}/redeliver/"):
        problem(client.post(f"{URL}{pk}/{path}"), 403)
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DEAD


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"url": "not an address"}, "url", "invalid"),
        ({"url": "ftp://hooks.example.org/x"}, "url", "address_refused"),
        ({**NEW, "kinds": ["exploded"]}, "kinds.0", "invalid_choice"),
        ({**NEW, "resources": ["child", "secrets"]}, "resources.1", "invalid_choice"),
        ({**NEW, "resources": "case"}, "resources", "not_a_list"),
        ({"kinds": ["created"]}, "url", "required"),
    ],
)
def test_bad_input_is_refused_at_its_field(org, body, field, code):
    _token, client = issue(org.advisor)
    response = client.post(URL, body, format="json")
    errors = problem(response, 400)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/x",  # not https
        "https://127.0.0.1/x",
        "https://localhost:8443/x",
        "https://10.1.2.3/x",
        "https://192.168.0.10/x",
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://[::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://100.64.0.1/x",  # shared address space (carrier-grade NAT)
    ],
)
def test_in_production_an_address_must_be_public_https(org, settings, url):
    settings.WEBHOOK_ALLOW_LOCAL = False
    _token, client = issue(org.advisor)
    response = client.post(URL, {**NEW, "url": url}, format="json")
    assert list(field_errors(response)) == ["url"]
    assert problem(response, 400)["errors"][0]["code"] == "address_refused"


def _resolving_to(monkeypatch, address: str) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)


def test_a_name_is_judged_by_the_addresses_it_resolves_to(org, settings, monkeypatch):
    settings.WEBHOOK_ALLOW_LOCAL = False
    _token, client = issue(org.advisor)
    _resolving_to(monkeypatch, "10.0.0.7")
    assert list(field_errors(client.post(URL, NEW, format="json"))) == ["url"]
    _resolving_to(monkeypatch, "93.184.215.14")
    assert client.post(URL, NEW, format="json").status_code == 201


def test_a_name_that_resolves_privately_later_is_not_sent_to(settings, monkeypatch):
    """Checked again before each send: a name may point elsewhere after the webhook was made."""
    settings.WEBHOOK_ALLOW_LOCAL = False
    _resolving_to(monkeypatch, "127.0.0.1")
    opened = []
    monkeypatch.setattr(webhooks.OPENER, "open", lambda *a, **k: opened.append(a))
    status, error = webhooks.send("https://hooks.example.org/x", "s3cret", {"kind": "ping"})
    assert (status, opened) == (None, [])
    assert error


def test_a_token_has_at_most_the_cap_of_webhooks(org, settings):
    settings.WEBHOOK_MAX_PER_TOKEN = 2
    _token, client = issue(org.advisor)
    assert [client.post(URL, NEW, format="json").status_code for _ in range(2)] == [201, 201]
    refused = problem(client.post(URL, NEW, format="json"), 400)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [(None, "too_many_webhooks")]
    # Another token of the same integration has its own.
    _other, second = issue(org.advisor)
    assert second.post(URL, NEW, format="json").status_code == 201


def test_a_create_with_an_idempotency_key_is_made_once(org):
    _token, client = issue(org.advisor)
    first = client.post(URL, NEW, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    again = client.post(URL, NEW, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] == first.json()["secret"]
    assert WebhookSubscription.objects.count() == 1


def _documented_verify():
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("docs", "api.md").read_text()
    section = text[text.index("## Webhooks") :]
    start = section.index("```python") + len("```python")
    namespace: dict = {}
    exec(section[start : section.index("```\n", start)], namespace)  # noqa: S102 - the documentation's example
    return namespace["verified"]


def test_ping_reaches_a_real_receiver_signed_with_the_secret(org, receiver):  # noqa: F811
    address, server = receiver
    _token, client = issue(org.advisor)
    made = client.post(URL, {"url": address}, format="json").json()
    answer = client.post(f"{URL}{made['id']}/ping/")
    assert answer.json() == {"delivered": True, "status": 200, "error": ""}
    ((headers, body),) = server.received
    assert json.loads(body) | {"occurred_at": None} == {
        "cursor": None,
        "resource": "webhook",
        "id": str(made["id"]),
        "kind": "ping",
        "occurred_at": None,
    }
    assert _documented_verify()(made["secret"], body, headers["Herning-Signature"])
    server.answers = [500]
    assert client.post(f"{URL}{made['id']}/ping/").json() == {
        "delivered": False,
        "status": 500,
        "error": "Internal Server Error",
    }
    assert not WebhookDelivery.objects.exists()  # a ping is no delivery
    # A redirect is not followed: it could lead where the address check would refuse to send.
    server.answers = [302]
    assert client.post(f"{URL}{made['id']}/ping/").json()["status"] == 302
    assert len(server.received) == 3


def test_a_new_secret_signs_from_now_on_and_the_old_one_no_longer(org, receiver):  # noqa: F811
    address, server = receiver
    _token, client = issue(org.advisor)
    made = client.post(URL, {"url": address}, format="json").json()
    rotated = client.post(f"{URL}{made['id']}/rotate-secret/")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != made["secret"]
    assert "secret" not in client.get(f"{URL}{made['id']}/").json()
    client.post(f"{URL}{made['id']}/ping/")
    ((headers, body),) = server.received
    verified = _documented_verify()
    assert verified(new, body, headers["Herning-Signature"])
    assert not verified(made["secret"], body, headers["Herning-Signature"])


def test_the_deliveries_show_the_dead_letters_and_a_dead_one_is_sent_again(
    org,
    dead_delivery,
    receiver,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    address, server = receiver
    monkeypatch.setattr(webhooks, "deliver_task", lambda: RunHere)
    WebhookSubscription.objects.filter(pk=dead_delivery.subscription.pk).update(url=address)
    client, pk, delivery = dead_delivery.client, dead_delivery.subscription.pk, dead_delivery.delivery
    (row,) = results(client.get(f"{URL}{pk}/deliveries/?state=dead"))
    assert row == {
        "id": delivery.pk,
        "webhook": pk,
        "event": {
            "resource": "case",
            "id": "41",
            "kind": "updated",
            "occurred_at": row["event"]["occurred_at"],
        },
        "state": "dead",
        "attempts": 8,
        "last_status": 503,
        "last_error": "Service Unavailable",
        "created_at": row["created_at"],
        "delivered_at": None,
        "etag": row["etag"],
    }
    assert results(client.get(f"{URL}{pk}/deliveries/?state=delivered")) == []
    assert client.get(f"{URL}{pk}/")["ETag"]
    assert client.get(f"{URL}{pk}/").json()["last_delivery"]["state"] == "dead"

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{URL}{pk}/deliveries/{delivery.pk}/redeliver/")
    assert again.status_code == 202, again.content
    assert again.json()["state"] == "pending"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    ((headers, body),) = server.received
    assert json.loads(body)["id"] == "41"
    assert webhooks.verify(dead_delivery.subscription.secret, body, headers["Herning-Signature"])
    assert client.get(f"{URL}{pk}/").json()["last_delivery"] | {"created_at": None} == {
        "state": "delivered",
        "status": 200,
        "error": "",
        "created_at": None,
    }
    # Only a dead letter is sent again by hand.
    assert problem(client.post(f"{URL}{pk}/deliveries/{delivery.pk}/redeliver/"), 409)["code"] == "not_dead"


def test_the_list_reads_in_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    token, client = issue(org.advisor)
    for n in range(5):
        webhooks.subscribe(token=token, url=f"https://hooks.example.org/{n}")
    with django_assert_max_num_queries(4):
        assert len(results(client.get(URL))) == 5


def test_the_admin_makes_a_webhook_through_the_same_rules(org, settings):
    from django.test import Client

    from tests.api.test_token_page import _service_user as service_user
    from tests.fixtures import login_with_second_factor

    settings.WEBHOOK_ALLOW_LOCAL = False
    token, _client = issue(service_user(org))
    admin = login_with_second_factor(Client(), org.sysadmin)
    add = "/admin/api/webhooksubscription/add/"
    form = {
        "token": token.pk,
        "url": "https://10.0.0.1/x",
        "kinds": '["boom"]',
        "resources": "[]",
        "active": "on",
        # The dead-letter inline's empty formset.
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
    }
    refused = admin.post(add, form)
    assert refused.status_code == 200 and not WebhookSubscription.objects.exists()
    assert "Ukendt hændelse" in refused.content.decode()
    assert (
        admin.post(add, {**form, "url": "https://93.184.215.14/x", "kinds": '["created"]'}).status_code == 302
    )
    made = WebhookSubscription.objects.get()
    assert (made.kinds, len(made.secret) >= 32) == (["created"], True)
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.WEBHOOK_CHANGE)
    assert [(e.details["action"], e.actor) for e in events] == [("created", org.sysadmin)]
