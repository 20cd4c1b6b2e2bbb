"""The background publisher: commits never wait on the broker, and what commits meanwhile leaves together.

These drive `BackgroundPublisher` with a recording publish function; the broker side (a real worker, real
Redis, the stand-in providers) is tested in test_workers.py.
"""

import os
import threading

from notifications.publisher import BackgroundPublisher


class Recorder:
    """A publish function that records its calls; `block()` makes the next call wait until `release()`."""

    def __init__(self, *, fail_first: bool = False):
        self.calls: list[tuple[str, list]] = []
        self.entered = threading.Event()
        self.gate: threading.Event | None = None
        self.fail_first = fail_first

    def block(self):
        self.gate = threading.Event()

    def release(self):
        self.gate.set()

    def __call__(self, *, channel, notification_ids):
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
            self.gate = None
        if self.fail_first:
            self.fail_first = False
            raise ConnectionError("broker unreachable")
        self.calls.append((channel, list(notification_ids)))
        return True


def test_rows_committed_while_a_publish_is_in_flight_leave_together_one_batch_per_channel():
    recorder = Recorder()
    publisher = BackgroundPublisher(publish=recorder, batch_size=10)
    recorder.block()
    publisher.submit(channel="sms", notification_ids=["a"])
    assert recorder.entered.wait(5)  # the first publish is on its way (and stuck at the broker)
    publisher.submit(channel="sms", notification_ids=["b"])
    publisher.submit(channel="email", notification_ids=["c", "d"])
    publisher.submit(channel="sms", notification_ids=["e"])
    recorder.release()

    assert publisher.flush(5)
    assert recorder.calls == [("sms", ["a"]), ("sms", ["b", "e"]), ("email", ["c", "d"])]


def test_a_batch_never_holds_more_than_the_batch_size():
    recorder = Recorder()
    publisher = BackgroundPublisher(publish=recorder, batch_size=2)
    recorder.block()
    publisher.submit(channel="sms", notification_ids=["first"])
    assert recorder.entered.wait(5)
    for pk in ("1", "2", "3", "4", "5"):
        publisher.submit(channel="sms", notification_ids=[pk])
    recorder.release()

    assert publisher.flush(5)
    assert recorder.calls == [("sms", ["first"]), ("sms", ["1", "2"]), ("sms", ["3", "4"]), ("sms", ["5"])]


def test_a_failed_publish_does_not_stop_the_publisher():
    recorder = Recorder(fail_first=True)
    publisher = BackgroundPublisher(publish=recorder, batch_size=10)
    publisher.submit(channel="sms", notification_ids=["lost-to-the-sweeper"])
    assert publisher.flush(5)
    publisher.submit(channel="sms", notification_ids=["next"])

    assert publisher.flush(5)
    assert recorder.calls == [("sms", ["next"])]


def test_flush_on_an_idle_publisher_returns_at_once():
    assert BackgroundPublisher(publish=Recorder(), batch_size=10).flush(0.5)


def test_a_forked_child_does_not_inherit_the_rows_its_parent_has_queued():
    recorder = Recorder()
    publisher = BackgroundPublisher(publish=recorder, batch_size=10)
    recorder.block()
    publisher.submit(channel="sms", notification_ids=["in-flight"])
    assert recorder.entered.wait(5)
    publisher.submit(channel="sms", notification_ids=["queued"])

    pid = os.fork()
    if pid == 0:  # the child (a gunicorn worker forked from a master): nothing of the parent's to publish
        os._exit(0 if publisher.flush(0.5) and recorder.calls == [] else 1)
    _, status = os.waitpid(pid, 0)
    recorder.release()

    assert os.waitstatus_to_exitcode(status) == 0
    assert publisher.flush(5)
    assert recorder.calls == [("sms", ["in-flight"]), ("sms", ["queued"])]
