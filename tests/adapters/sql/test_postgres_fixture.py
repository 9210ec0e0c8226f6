"""The PostgreSQL test fixture: skips without the server binaries, unless CI requires them."""

import pytest

from tests.postgres import REQUIRE_ENV, _unavailable


def test_without_the_binaries_postgres_tests_skip(monkeypatch):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        _unavailable("no initdb")


def test_when_required_a_missing_server_fails_instead_of_skipping(monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="no initdb"):
        _unavailable("no initdb")


@pytest.mark.postgres
def test_each_test_gets_its_own_empty_database(postgres_server, postgres_url):
    import psycopg

    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)
    assert postgres_server.port > 0 and str(postgres_server.port) in postgres_url
