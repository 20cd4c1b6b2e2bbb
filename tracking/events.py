"""The stream's events as bytes, built once per change and shared by every watcher of the order: `update`
(the public tracking JSON, for any client) and, for the tracking page's own script, `page` (the page's
content as the server renders it, so the browser swaps it in without asking the server again)."""

from dataclasses import dataclass

from django.template.loader import render_to_string

from .presentation import snapshot_context
from .snapshots import TrackingSnapshot


@dataclass(frozen=True)
class LiveUpdate:
    version: str
    update: bytes
    page: bytes | None  # None: no watcher wanted it when this was built


def page_content(snapshot: TrackingSnapshot) -> str:
    """The tracking page's live part (`#tracking`) for this snapshot, as the page itself renders it."""
    return render_to_string("tracking/_content.html", snapshot_context(snapshot))


def _event(name: str, version: str, text: str) -> bytes:
    data = "".join(f"data: {line}\n" for line in text.split("\n"))
    return f"id: {version}\nevent: {name}\n{data}\n".encode()


def live_update(snapshot: TrackingSnapshot, *, page: bool) -> LiveUpdate:
    """The events for `snapshot`; the page event only when `page` (rendering costs a few milliseconds)."""
    return LiveUpdate(
        version=snapshot.version,
        update=_event("update", snapshot.version, snapshot.text),
        page=_event("page", snapshot.version, page_content(snapshot)) if page else None,
    )
