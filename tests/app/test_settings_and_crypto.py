import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from qdispatch.crypto import FernetCipher, load_or_create_key
from qdispatch.settings import Settings


def test_defaults_put_a_sqlite_file_in_the_data_dir(tmp_path):
    settings = Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'qdispatch.db'}"
    assert settings.is_sqlite and settings.key_file == tmp_path / "config" / "secret.key"
    assert settings.default_user == "local" and settings.worker_threads == 4
    assert settings.simulation_memory_bytes > 0


def test_environment_overrides(tmp_path):
    env = {
        "QDISPATCH_HOME": str(tmp_path),
        "QDISPATCH_DATABASE_URL": "postgresql://h/db",
        "QDISPATCH_WORKER_THREADS": "7",
        "QDISPATCH_LEASE_SECONDS": "5",
        "QDISPATCH_DEFAULT_CREDITS": "12.5",
        "QDISPATCH_EXTRA_BACKENDS": "a:b, c:d",
        "QDISPATCH_SIMULATION_MEMORY_BYTES": "1024",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql://h/db" and not settings.is_sqlite
    assert settings.worker_threads == 7 and settings.lease_seconds == 5
    assert settings.default_credits == "12.5" and settings.extra_backends == ("a:b", "c:d")
    assert settings.simulation_memory_bytes == 1024
    assert Settings.from_env(env, database_url="sqlite:///x.db").database_url == "sqlite:///x.db"


def test_backend_settings_come_from_the_environment_once(tmp_path):
    env = {
        "QDISPATCH_HOME": str(tmp_path),
        "QDISPATCH_SIMULATION_MEMORY_BYTES": "1048576",
        "QDISPATCH_MPS_MAX_BOND_DIMENSION": "64",
        "QDISPATCH_CACHE_DIR": str(tmp_path / "cache"),
        "QDISPATCH_IONQ_HOST": "http://127.0.0.1:8123",
    }
    given = Settings.from_env(env).backend_settings()
    assert given.simulation_memory_bytes == 2**20 and given.mps_max_bond_dimension == 64
    assert given.cache_dir == tmp_path / "cache" and given.ionq_host == "http://127.0.0.1:8123"
    for value in ("0", "lots"):
        with pytest.raises(ValueError, match="QDISPATCH_SIMULATION_MEMORY_BYTES"):
            Settings.from_env({**env, "QDISPATCH_SIMULATION_MEMORY_BYTES": value})


def test_the_key_file_is_created_once_and_only_its_owner_can_read_it(tmp_path):
    path = tmp_path / "config" / "secret.key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: load_or_create_key(path), range(8)))
    assert len(keys) == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key(path) == keys.pop()


def test_fernet_round_trip_and_wrong_key(tmp_path):
    cipher = FernetCipher(load_or_create_key(tmp_path / "k1"))
    sealed = cipher.seal(b'{"ibm_quantum_token": "secret"}')
    assert b"secret" not in sealed
    assert cipher.open(sealed) == b'{"ibm_quantum_token": "secret"}'
    other = FernetCipher(load_or_create_key(tmp_path / "k2"))
    with pytest.raises(ValueError):
        other.open(sealed)
