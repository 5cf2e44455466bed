"""The release step: migrate the schema to head and sync the curated content into `content_items`, under the
boot lock, so it happens once per deployment however many processes start at once.

`flask --app wsgi release` runs it by hand before the new workers start; every process also runs it when
the app is built (`create_app`), where it waits for the lock and then, normally, finds nothing to do.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from content.loader import SyncReport, sync_content
from content.model import Content
from storage import Storage, upgrade
from storage.bootlock import boot_lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReleaseReport:
    """What one release did: the schema revisions before and after (None: an empty database; both None
    when migrating was off) and the content sync's counts (None when syncing was off)."""

    migrated: bool
    revision_before: str | None
    revision_after: str | None
    content: SyncReport | None

    def __str__(self) -> str:
        if not self.migrated:
            schema = "database not migrated"
        elif self.revision_before == self.revision_after:
            schema = f"database at {self.revision_after} (no migration needed)"
        else:
            schema = f"database migrated from {self.revision_before or 'empty'} to {self.revision_after}"
        return f"{schema}; content: {'not synced' if self.content is None else self.content}"


def run(store: Storage, content: Content, *, migrate: bool = True, sync: bool = True) -> ReleaseReport:
    """Migrate `store` to head (if `migrate`) and sync `content` into it (if `sync`), holding the boot lock;
    a process that waited for the lock finds both done and writes nothing. Raises what Alembic or the
    database raise (a failed release leaves the schema at the last migration that committed)."""
    before = after = None
    report = None
    with boot_lock(store.engine):
        if migrate:
            before, after = upgrade(store.engine)
        if sync:
            with store.Session.begin() as session:
                report = sync_content(session, content)
            if report.changed:
                log.info("content synced: %s", report)
    return ReleaseReport(migrate, before, after, report)
