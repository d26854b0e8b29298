"""A watch whose socket breaks mid-stream resumes with the cursor: every event once, in order."""
from __future__ import annotations

from spokegraph import Client

from conftest import PROJECT, unique
from proxy import CuttingProxy


def check_resumed(w, events) -> None:
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), f"gap or repeat: {seqs}"
    assert w.reconnects >= 1 and w.disconnects >= 1 and w.duplicates == 0
    assert w.subscriptions[0] is None
    # the second subscribe asked for what came after the last event the first socket delivered
    resumed_after = next(e for e in events if e.cursor == w.subscriptions[1])
    assert 1 <= resumed_after.seq < seqs[-1]


def test_disconnect_mid_watch_resumes_by_cursor_live(gateway, client: Client, shared_pool, app_bundle) -> None:
    # cut the first WebSocket after ~1.5 KB from the gateway: the ack and a few events, mid-frame
    proxy = CuttingProxy(gateway.url, cut_after=1500)
    try:
        via_proxy = Client(proxy.url, gateway.token)
        d = client.deploy(PROJECT, unique("cut"), [app_bundle], pool=shared_pool)
        w = via_proxy.watch(d.id)  # subscribes at once, while the deployment runs
        events = list(w)
        assert proxy.cuts == 1 and proxy.websockets == 2
        check_resumed(w, events)
        assert events[-1].phase == "RUNNING"
        assert [e.seq for e in client.events(d)] == [e.seq for e in events]
    finally:
        proxy.stop()


def test_disconnect_mid_replay_resumes_by_cursor(gateway, client: Client, shared_pool, app_bundle) -> None:
    d = client.deploy(PROJECT, unique("cut"), [app_bundle], pool=shared_pool)
    client.wait(d, progress=False)
    total = len(client.events(d))
    proxy = CuttingProxy(gateway.url, cut_after=2500)
    try:
        w = Client(proxy.url, gateway.token).watch(d.id)
        events = list(w)
        assert proxy.cuts == 1
        assert len(events) == total
        check_resumed(w, events)
    finally:
        proxy.stop()
