"""Opening the service's metadata database, migrated to the current version.

Kept apart from the app factory so that command-line tools (keys, backup) open the database
without importing the web framework.
"""

from __future__ import annotations

from service.settings import Settings
from storage import migrations
from storage.db import Database


def open_database(settings: Settings) -> Database:
    db = Database(settings.db_path)
    migrations.apply(db.db)
    return db
