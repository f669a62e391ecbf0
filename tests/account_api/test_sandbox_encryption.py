"""Connection passwords at rest: Fernet with a key from the environment, rotation, older files rebuilt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from account_api.security import SecretBox
from account_api.seed import DEMO_CUSTOMERS, seed_demo_customers
from account_api.settings import DEV_ENCRYPTION_KEY, Settings
from account_api.store import SCHEMA_VERSION, Store


def test_the_key_comes_from_the_environment_and_the_public_default_counts_as_a_dev_secret() -> None:
    key = Fernet.generate_key().decode()
    env = {"ACCOUNT_API_TOKEN": "t", "ACCOUNT_API_PEPPER": "p"}
    assert Settings.from_env(env).uses_dev_secrets  # no key set: the public development key
    assert Settings.from_env(env).encryption_key == DEV_ENCRYPTION_KEY
    assert not Settings.from_env({**env, "ACCOUNT_API_ENCRYPTION_KEY": key}).uses_dev_secrets
    # Rotating away from the dev key still counts as using it while it can decrypt.
    assert Settings.from_env({**env, "ACCOUNT_API_ENCRYPTION_KEY": f"{key},{DEV_ENCRYPTION_KEY}"}).uses_dev_secrets


def test_a_rotated_key_still_reads_what_the_old_one_wrote() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = SecretBox(old).encrypt("Abc23xyz")
    assert SecretBox(f"{new},{old}").decrypt(token) == "Abc23xyz"
    with pytest.raises(InvalidToken):
        SecretBox(new).decrypt(token)


def test_a_malformed_key_names_the_setting_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="ACCOUNT_API_ENCRYPTION_KEY") as raised:
        SecretBox("not-a-key-secret-value")
    assert "not-a-key-secret-value" not in str(raised.value)


def test_a_schema_1_file_with_hashed_passwords_is_rebuilt_and_reseeded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema_version', '1');"
        "CREATE TABLE customers (customer_number TEXT PRIMARY KEY, connection_password_hash TEXT NOT NULL);"
    )
    conn.commit()
    conn.close()
    store = Store(path)
    store.create_schema()
    box = SecretBox(Fernet.generate_key().decode())
    assert seed_demo_customers(store, box, 0.0) == len(DEMO_CUSTOMERS)
    version = store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION
    encrypted = store.connection_password_encrypted(DEMO_CUSTOMERS[0].customer_number)
    assert encrypted and len(box.decrypt(encrypted)) >= 8
    store.close()
