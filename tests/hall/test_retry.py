"""The retry core on its own: no sockets, no clock — time is whatever `now` the test says."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.wire import protocol as P
from hall.wire.retry import Pending, Retry, session_part


def _send(r: Retry, now: float, *, timeout: float = 1.0, retries: int = 3,
          patience: float | None = None) -> Pending:  # fmt: skip
    req_id = r.next_req_id()
    return r.send(req_id, f"body of {req_id}".encode(), now, timeout=timeout, retries=retries,
                  patience=patience)  # fmt: skip


def test_req_ids_are_device_session_counter() -> None:
    r = Retry("kiosk-1", "s1")
    assert [r.next_req_id() for _ in range(3)] == ["kiosk-1:s1.1", "kiosk-1:s1.2", "kiosk-1:s1.3"]
    r.device = "manager-1"  # a client told another name (the hub checks it against the key)
    assert r.next_req_id() == "manager-1:s1.4"
    a, b = session_part(1_700_000_000.0), session_part(1_700_000_000.0)
    assert a.startswith("6553f100") and len(a) == 12 and a != b  # random part: no reuse


def test_nothing_happens_before_the_timeout() -> None:
    r = Retry("kiosk-1", "s")
    p = _send(r, 10.0)
    assert r.next_deadline() == 11.0
    step = r.tick(10.99)
    assert (step.retire, step.close, step.resend, step.failed) == (None, [], [], [])
    assert p.tries == 1 and r.conn == 0


def test_a_silent_try_retires_the_connection_and_resends_on_a_fresh_one() -> None:
    r = Retry("kiosk-1", "s", reply_grace=10.0)
    p = _send(r, 0.0)
    step = r.tick(1.0)
    assert step.retire == 0 and r.conn == 1
    assert step.resend == [p] and step.failed == [] and step.close == []
    assert p.tries == 2 and p.sent_at == 1.0
    assert r.retired == {0: 11.0}  # listened on for late answers


def test_every_pending_request_goes_out_again_on_the_fresh_connection() -> None:
    r = Retry("kiosk-1", "s")
    early = _send(r, 0.0)
    late = _send(r, 0.8)
    step = r.tick(1.0)
    assert step.resend == [early, late]
    assert (early.tries, late.tries, late.sent_at) == (2, 1, 0.8)  # only the silent try counts


def test_given_up_after_its_tries() -> None:
    r = Retry("kiosk-1", "s")
    p = _send(r, 0.0, retries=3)
    assert r.tick(1.0).resend == [p]
    assert r.tick(2.0).resend == [p]
    step = r.tick(3.0)
    assert step.failed == [p] and step.resend == [] and p.tries == 3
    assert step.retire == 2 and r.conn == 3  # the next request goes on a fresh one too
    assert not r.pending
    assert set(step.close) == {0, 1, 2} and not r.retired  # nothing left to listen for
    assert r.answer(p.req_id) is None  # an answer after giving up: nobody waits


def test_a_late_answer_on_a_retired_connection_is_taken_and_closes_it() -> None:
    r = Retry("kiosk-1", "s", reply_grace=10.0)
    p = _send(r, 0.0)
    r.tick(1.0)
    assert 0 in r.retired
    assert r.answer(p.req_id) is p  # came back on connection 0, sent before the retry
    assert r.tick(1.1).close == [0]  # no request that went out on it is pending any more
    assert not r.retired


def test_a_retired_connection_stays_while_a_request_sent_on_it_waits() -> None:
    r = Retry("kiosk-1", "s", reply_grace=10.0)
    first = _send(r, 0.0)
    r.tick(1.0)  # connection 0 retired; `first` went out on 0 and 1
    second = _send(r, 1.5)  # went out on 1 only
    r.tick(2.0)  # connection 1 retired
    assert set(r.retired) == {0, 1}
    assert r.answer(first.req_id) is first
    assert r.tick(2.1).close == [0]  # nobody waits on 0; `second` may come back on 1
    assert set(r.retired) == {1} and second.req_id in r.pending


def test_a_retired_connection_expires_after_the_grace() -> None:
    r = Retry("kiosk-1", "s", reply_grace=10.0)
    p = _send(r, 0.0, timeout=4.0, patience=60.0)
    r.tick(4.0)  # connection 0 retired until 14
    r.tick(8.0)  # connection 1 retired until 18
    assert r.next_deadline() == 12.0  # the current try
    assert r.tick(13.9).close == []
    step = r.tick(14.0)
    assert 0 in step.close and 0 not in r.retired
    assert p.req_id in r.pending  # still tried: it is patient


def test_without_a_grace_a_connection_is_kept_until_its_requests_end() -> None:
    r = Retry("kiosk-1", "s")  # the blocking client's way
    p = _send(r, 0.0, timeout=1.0, retries=100)
    for t in range(1, 50):
        assert r.tick(float(t)).close == []
    assert len(r.retired) == 49 and r.next_deadline() == 50.0
    r.forget(p.req_id)
    assert len(r.tick(50.5).close) == 49 and not r.retired


def test_patience_keeps_a_request_past_its_retries() -> None:
    r = Retry("kiosk-1", "s")
    p = _send(r, 0.0, timeout=1.0, retries=2, patience=5.0)
    for t in (1.0, 2.0, 3.0, 4.0):
        step = r.tick(t)
        assert step.resend == [p] and step.failed == []
    assert p.tries == 5
    assert r.tick(5.0).failed == [p]


def test_the_patience_deadline_counts_between_two_tries() -> None:
    r = Retry("kiosk-1", "s")
    p = _send(r, 0.0, timeout=2.0, patience=3.0)
    r.tick(2.0)  # the next try would end at 4
    assert r.next_deadline() == 3.0
    assert r.tick(2.99).failed == []
    step = r.tick(3.0)
    assert step.failed == [p] and step.resend == []


def test_an_answer_counts_once_and_an_unknown_one_not_at_all() -> None:
    r = Retry("kiosk-1", "s")
    p = _send(r, 0.0)
    assert r.answer("kiosk-1:s.99") is None
    assert r.answer(p.req_id) is p
    assert r.answer(p.req_id) is None  # the second copy of a retried request's answer
    assert r.tick(100.0).failed == []


def test_a_request_sent_again_keeps_listening_where_it_first_went() -> None:
    r = Retry("kiosk-1", "s", reply_grace=10.0)
    p = _send(r, 0.0)
    r.tick(1.0)  # connection 0 retired, p resent on 1
    again = r.send(p.req_id, p.body, 1.5, timeout=1.0, retries=3)
    assert again.conn == 0 and again.tries == 1
    assert r.tick(1.6).close == []  # its first copy may still be answered on 0


def test_retry_last_is_the_last_command_not_a_hello_ping_or_snapshot() -> None:
    r = Retry("kiosk-1", "s")
    with pytest.raises(RuntimeError):
        r.last()
    issue = P.Issue(req_id=r.next_req_id(), queue="G")
    r.remember(issue)
    r.remember(P.Hello(req_id=r.next_req_id(), version=P.PROTOCOL_VERSION))
    r.remember(P.Ping(req_id=r.next_req_id()))
    r.remember(P.Snapshot(req_id=r.next_req_id()))
    assert r.last() is issue
    finish = P.Finish(req_id=r.next_req_id(), window=3)
    r.remember(finish)
    assert r.last() is finish


def test_clear_forgets_everything() -> None:
    r = Retry("kiosk-1", "s", reply_grace=10.0)
    _send(r, 0.0)
    r.tick(1.0)
    r.clear()
    assert not r.pending and not r.retired and r.next_deadline() is None


# Any mix of sends, answers and ticks: each request ends once (answered or given up),
# never after more tries than allowed (unless patient), and a retired connection is
# closed once, by its grace at the latest.
actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("send"), st.floats(0.1, 3), st.integers(1, 4), st.none() | st.floats(0.5, 10)
        ),
        st.tuples(st.just("answer"), st.integers(1, 30)),
        st.tuples(st.just("tick"), st.floats(0, 2)),
    ),
    max_size=60,
)


@given(actions)
def test_requests_end_once_and_connections_close_once(plan: list[tuple[object, ...]]) -> None:
    grace = 5.0
    r = Retry("kiosk-1", "s", reply_grace=grace)
    now = 0.0
    sent: set[str] = set()
    ended: set[str] = set()
    closed: set[int] = set()
    retired_at: dict[int, float] = {}
    for action in plan:
        if action[0] == "send":
            _, timeout, retries, patience = action
            assert isinstance(timeout, float) and isinstance(retries, int)
            assert patience is None or isinstance(patience, float)
            sent.add(_send(r, now, timeout=timeout, retries=retries, patience=patience).req_id)
        elif action[0] == "answer":
            req_id = f"kiosk-1:s.{action[1]}"
            p = r.answer(req_id)
            assert (p is not None) == (req_id in sent - ended)
            if p is not None:
                ended.add(req_id)
        else:
            assert isinstance(action[1], float)
            now += action[1]
            step = r.tick(now)
            for p in step.failed:
                assert p.req_id not in ended
                assert p.give_up_at is not None or p.tries == p.retries
                ended.add(p.req_id)
            if step.retire is not None:
                assert step.retire == r.conn - 1 and step.retire not in retired_at
                retired_at[step.retire] = now
            assert not closed & set(step.close) and set(step.close) <= set(retired_at)
            closed |= set(step.close)
            assert all(now < retired_at[c] + grace for c in r.retired)
        assert all(c < r.conn for c in r.retired)
        assert set(r.pending) == sent - ended
        assert all(p.give_up_at is not None or p.tries <= p.retries for p in r.pending.values())
