"""A local journal of outcomes the database has not taken yet: one JSON file per outbox row, written when a
worker gives up waiting for PostgreSQL after the provider answered, replayed by the next tasks and sweeps on
the same machine (NOTIFICATIONS_JOURNAL_DIR; on containers, a volume keeps it across restarts).
"""

import json
import logging
import os
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def _directory() -> Path:
    return Path(settings.NOTIFICATIONS_JOURNAL_DIR)


def journal_keep(*, key: str, entry: dict) -> bool:
    """Write `entry` under `key` (replacing an older one) so that it survives this process; False if the
    journal cannot be written (the caller then has only its logs)."""
    directory = _directory()
    path = directory / f"{key}.json"
    partial = directory / f".{key}.partial"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)  # readers see the whole entry or none of it
    except OSError:
        logger.exception("Could not write the outbox journal entry %s in %s", key, directory)
        return False
    return True


def journal_entries() -> list[tuple[Path, dict]]:
    """Every entry on this machine, oldest first. Unreadable files are logged and left for a human."""
    try:
        paths = list(_directory().glob("*.json"))
    except OSError:
        return []
    entries = []
    for path in paths:
        try:
            entries.append((path.stat().st_mtime, path, json.loads(path.read_text(encoding="utf-8"))))
        except FileNotFoundError:  # another process on this machine replayed it meanwhile
            continue
        except (OSError, ValueError):
            logger.exception("Unreadable outbox journal entry %s", path)
    return [(path, entry) for _, path, entry in sorted(entries, key=lambda item: item[0])]


def journal_drop(path: Path) -> None:
    path.unlink(missing_ok=True)
