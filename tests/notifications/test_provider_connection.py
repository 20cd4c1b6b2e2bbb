"""A worker thread keeps its connection to Africa's Talking open from one message to the next, as a client of
a busy API should (a TCP and TLS handshake per SMS cost more than the rest of the exchange). A connection
that sat idle is not reused, and a provider that goes away and comes back costs a retry, never a message."""

import pytest

from notifications.senders import ConfigurableSMSService, TransientSendError, sms_send

NUMBERS = [f"+2547120000{i:02d}" for i in range(4)]


def test_messages_sent_one_after_another_share_one_connection(sms_api):
    for i, number in enumerate(NUMBERS):
        outcomes = sms_send(message=f"Order {i} shipped", recipients=[number])
        assert outcomes[number].accepted

    assert sms_api.requests == 4
    assert sms_api.connections == 1
    assert sms_api.counts() == dict.fromkeys(NUMBERS, 1)


def test_a_connection_that_sat_idle_is_replaced_before_the_next_message(sms_api, monkeypatch):
    monkeypatch.setattr(ConfigurableSMSService, "IDLE_CONNECTION_SECONDS", 0)

    sms_send(message="Order 1 shipped", recipients=[NUMBERS[0]])
    sms_send(message="Order 2 shipped", recipients=[NUMBERS[1]])

    assert sms_api.connections == 2
    assert sms_api.counts() == {NUMBERS[0]: 1, NUMBERS[1]: 1}


def test_a_provider_that_restarts_costs_one_retry_and_no_message(sms_api):
    sms_send(message="Order 1 shipped", recipients=[NUMBERS[0]])
    sms_api.stop()  # its open connections drop with it

    with pytest.raises(TransientSendError):  # refused: nothing was sent, so it is safe to try again
        sms_send(message="Order 2 shipped", recipients=[NUMBERS[1]])
    sms_api.start()
    outcomes = sms_send(message="Order 2 shipped", recipients=[NUMBERS[1]])

    assert outcomes[NUMBERS[1]].accepted
    assert sms_api.counts() == {NUMBERS[0]: 1, NUMBERS[1]: 1}
    assert sms_api.connections == 2


def test_each_worker_thread_has_its_own_connection(sms_api):
    import threading

    threads = [
        threading.Thread(target=sms_send, kwargs={"message": "Order shipped", "recipients": [number]})
        for number in NUMBERS[:2]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sms_api.counts() == {NUMBERS[0]: 1, NUMBERS[1]: 1}
    assert sms_api.connections == 2
