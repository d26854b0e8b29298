"""Sockets left unread for a minute stay open: the gateway pings every 12 s and drops a socket that has
not answered 12 s later, so without the reader thread both would be cut at ~24 s."""
from __future__ import annotations

import time

import pytest

from spokegraph import Client
from spokegraph.queries import PROJECT_EVENTS

from conftest import PROJECT, unique

UNREAD_SECONDS = 60


@pytest.mark.slow
def test_watch_left_unread_for_60s_completes_on_the_same_socket(client: Client, shared_pool, app_bundle) -> None:
    project = client.project(PROJECT)
    raw = client.subscribe(PROJECT_EVENTS, {"projectId": project.id, "after": None})
    d = client.deploy(PROJECT, unique("unread"), [app_bundle], pool=shared_pool)
    w = client.watch(d.id)  # connected and subscribed; nothing is read for a minute

    time.sleep(UNREAD_SECONDS)

    assert w.connected and w.disconnects == 0, "the watch's socket was dropped while unread"
    assert raw.connected, "the raw subscription's socket was dropped while unread"
    events = list(w)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].phase == "RUNNING"
    assert w.reconnects == 0 and w.subscriptions == [None]

    # the raw subscription still streams live events on its original socket
    client.delete(d)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = raw.next(timeout=max(0.1, deadline - time.monotonic()))
        if data and data["projectEvents"]["subjectId"] == d.id and data["projectEvents"]["phase"] == "DELETED":
            break
    else:
        pytest.fail("no live DELETED event on the raw subscription")
    raw.close()
