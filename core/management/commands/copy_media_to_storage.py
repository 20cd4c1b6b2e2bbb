"""Copy media kept on local disk (the `make run` layout) into the configured stores, names unchanged.

    python manage.py copy_media_to_storage [--media-root DIR] [--private-media-root DIR] [--dry-run]

Run it once when moving a deployment to object storage, with STORAGE_URL (or the AWS_* variables) set:
MEDIA_ROOT goes to the public store, PRIVATE_MEDIA_ROOT to the private one. The database keeps naming files by
their path relative to those directories, which is also their name in the store, so no row changes. Files
already in the store with the same size are skipped, so an interrupted run can simply be started again.
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from core.storage import STORAGE_ERRORS, is_local


class Command(BaseCommand):
    help = "Copy local media (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) into the configured public and private stores."

    def add_arguments(self, parser):
        parser.add_argument(
            "--media-root", default=settings.MEDIA_ROOT, help="public files (default MEDIA_ROOT)"
        )
        parser.add_argument(
            "--private-media-root",
            default=settings.PRIVATE_MEDIA_ROOT,
            help="private files, e.g. KYC documents (default PRIVATE_MEDIA_ROOT)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list what would be copied, copy nothing")

    def handle(self, *args, media_root, private_media_root, dry_run, verbosity, **options):
        self.verbosity = verbosity
        totals = [0, 0]
        for alias, root in (("default", media_root), ("private", private_media_root)):
            storage = storages[alias]
            if is_local(storage):
                raise CommandError(
                    f"The {alias!r} store is a local directory: set STORAGE_URL or AWS_STORAGE_BUCKET_NAME first."
                )
            copied, skipped = self._copy_tree(Path(root), storage, dry_run=dry_run)
            totals[0] += copied
            totals[1] += skipped
            self.stdout.write(f"{alias}: {copied} copied, {skipped} already there ({root})")
        verb = "would copy" if dry_run else "copied"
        self.stdout.write(self.style.SUCCESS(f"{verb} {totals[0]} files, {totals[1]} already in place"))

    def _copy_tree(self, root: Path, storage, *, dry_run: bool) -> tuple[int, int]:
        if not root.is_dir():
            return 0, 0
        copied = skipped = 0
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            try:
                if storage.exists(name) and storage.size(name) == path.stat().st_size:
                    skipped += 1
                    continue
                if not dry_run:
                    if storage.exists(name):  # a partial copy from an interrupted run
                        storage.delete(name)
                    with path.open("rb") as handle:
                        saved = storage.save(name, File(handle, name=name))
                    if saved != name:
                        raise CommandError(f"{name} was stored as {saved}; the database would not find it.")
            except STORAGE_ERRORS as exc:
                raise CommandError(f"Could not copy {name}: {exc}") from exc
            copied += 1
            if self.verbosity >= 2:
                self.stdout.write(f"  {name}")
        return copied, skipped
