"""A minimal Server-Sent Events client for the tests: opens the stream over plain HTTP and reads it block by
block, as a browser's EventSource would."""

import http.client
import json
from urllib.parse import urlsplit


class EventStream:
    """`with EventStream(url) as stream:` then `stream.next_block()` / `stream.next_update()`."""

    def __init__(self, url: str, *, headers: dict | None = None, timeout: float = 10):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.connection.request("GET", parts.path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.connection.getresponse()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()

    @property
    def status(self) -> int:
        return self.response.status

    def next_block(self) -> dict:
        """The next block of lines up to a blank line: {field: value}; a comment line is {"comment": text}."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline()
            if not line:
                raise EOFError("the stream ended")
            line = line.decode().rstrip("\n")
            if not line:
                if fields:
                    return fields
                continue
            name, _, value = line.partition(":")
            fields[name or "comment"] = value.removeprefix(" ")

    def next_update(self) -> tuple[str, dict]:
        """The next `update` event's (id, JSON), skipping the retry hint and keep-alive comments."""
        while True:
            block = self.next_block()
            if block.get("event") == "update":
                return block["id"], json.loads(block["data"])
