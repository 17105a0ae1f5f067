"""Registry fixtures: every API test runs on SQLite (a file in tmp_path) and on PostgreSQL (its own
schema). PostgreSQL unreachable: its tests skip with the reason, except under CI=true, where they fail."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the registry needs the server extra: pip install 'jailscale[server]'")

from fastapi.testclient import TestClient

from jailscale.server.app import create_app
from jailscale.server.db import Registry
from pg_kit import pg_schema, require_pg
from registry_kit import GENEROUS, Kit, populate


@pytest.fixture(scope="session")
def pg_url() -> str:
    return require_pg()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    else:
        with pg_schema(request.getfixturevalue("pg_url")) as url:
            yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A migrated, populated SQLite registry made once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("registry-template") / "registry.sqlite3"
    registry = Registry.open(f"sqlite:///{path}")
    try:
        tokens = populate(registry).tokens
    finally:
        registry.close()
    return path, tokens


@pytest.fixture
def kit(registry_url: str, request: pytest.FixtureRequest) -> Iterator[Kit]:
    if registry_url.startswith("sqlite:///"):
        template, tokens = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, registry_url.removeprefix("sqlite:///"))
        registry = Registry.open(registry_url)
        made = Kit(registry, dict(tokens))
    else:
        registry = Registry.open(registry_url)
        made = populate(registry)
    try:
        yield made
    finally:
        registry.close()


@pytest.fixture
def client(kit: Kit) -> Iterator[TestClient]:
    with TestClient(create_app(kit.registry, GENEROUS), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def sqlite_kit(tmp_path: Path, sqlite_template: tuple[Path, dict[str, str]]) -> Iterator[Kit]:
    """SQLite only, for tests about the web pages and helpers that need not run twice."""
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(sqlite_template[0], path)
    registry = Registry.open(f"sqlite:///{path}")
    try:
        yield Kit(registry, dict(sqlite_template[1]))
    finally:
        registry.close()
