"""Fresh databases for benchmark children: a migrated SQLite file copied per run, and, when a
PostgreSQL URL is given, databases created on that server from a migrated template (all
dropped at the end)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class BenchDatabases:
    def __init__(
        self,
        workdir: Path,
        *,
        postgres_url: str | None,
        migrate: Callable[..., None],
    ):
        self.workdir = workdir
        self.migrate = migrate
        self.postgres_url = (
            postgres_url if postgres_url and postgres_url.startswith("postgres") else None
        )
        self._sqlite_template: Path | None = None
        self._pg_template: str | None = None
        self._created: list[str] = []
        self._n = 0

    def vendors(self) -> list[str]:
        return ["sqlite", "postgresql"] if self.postgres_url else ["sqlite"]

    def fresh(self, vendor: str) -> str:
        """The URL of a new, migrated, empty database."""
        self._n += 1
        if vendor == "sqlite":
            if self._sqlite_template is None:
                self._sqlite_template = self.workdir / "template.sqlite3"
                self.migrate(["migrate", "--noinput"], database_url=self._url_sqlite(None))
            target = self.workdir / f"run_{self._n}.sqlite3"
            shutil.copyfile(self._sqlite_template, target)
            return f"sqlite:///{target}"
        base = self._db_name()
        if self._pg_template is None:
            self._pg_template = f"{base}_bench_template"
            self._execute(f'DROP DATABASE IF EXISTS "{self._pg_template}"')
            self._execute(f'CREATE DATABASE "{self._pg_template}"')
            self._created.append(self._pg_template)
            self.migrate(["migrate", "--noinput"], database_url=self._url_pg(self._pg_template))
        name = f"{base}_bench_{self._n}"
        self._execute(f'DROP DATABASE IF EXISTS "{name}"')
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._pg_template}"')
        self._created.insert(0, name)
        return self._url_pg(name)

    def close(self) -> None:
        for name in self._created:
            try:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # noqa: BLE001 - best effort: the next bench drops it too
                pass
        self._created = []

    # -- helpers

    def _url_sqlite(self, _):
        return f"sqlite:///{self._sqlite_template}"

    def _db_name(self) -> str:
        return urlsplit(self.postgres_url).path.lstrip("/") or "postgres"

    def _url_pg(self, name: str) -> str:
        parts = urlsplit(self.postgres_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _execute(self, sql: str) -> None:
        import psycopg

        # The server's maintenance database: the URL's own one need not exist.
        with psycopg.connect(self._url_pg("postgres"), autocommit=True) as conn:
            conn.execute(sql)
