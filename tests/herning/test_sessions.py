"""The session store (``herning.accounts.sessions``): Django's database sessions with the row's
read compiled once per process. Each key reads its own session, an expired or unknown one reads
nothing and loses its key, as Django's own store does, and the statement is kept."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from herning.accounts.sessions import SessionStore, _live_session
from herning.core.statements import _Shape

pytestmark = pytest.mark.django_db


def _saved(data: dict) -> str:
    store = DjangoStore()
    store.update(data)
    store.save()
    return store.session_key


def test_the_product_keeps_its_sessions_in_this_store():
    assert settings.SESSION_ENGINE == "herning.accounts.sessions"


def test_each_key_reads_its_own_session_and_the_read_is_kept():
    _live_session.shapes.clear()
    first, second = _saved({"who": "anne"}), _saved({"who": "bo", "n": 2})
    for key, data in ((first, {"who": "anne"}), (second, {"who": "bo", "n": 2}), (first, {"who": "anne"})):
        store = SessionStore(session_key=key)
        assert store.load() == data
        assert store.session_key == key
        # As Django's own store reads it.
        assert DjangoStore(session_key=key).load() == data
    assert [type(shape) for shape in _live_session.shapes.values()] == [_Shape]


@pytest.mark.parametrize("case", ["expired", "unknown"])
def test_an_expired_or_unknown_session_reads_nothing_and_loses_its_key(case):
    key = _saved({"who": "anne"})
    if case == "expired":
        # One second past: the row is still there until the nightly clean-up, but no longer valid.
        Session.objects.filter(pk=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    else:
        key = "x" * 32
    store = SessionStore(session_key=key)
    assert store.load() == {}
    assert store.session_key is None
    # Saving it then makes a new session rather than reviving the old key.
    store["who"] = "bo"
    store.save()
    assert store.session_key not in (None, key)
