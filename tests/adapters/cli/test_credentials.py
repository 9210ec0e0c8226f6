"""Credentials files and environment variables (issue 22, L6), in process."""

import json
import os

import pytest
import typer

from qdispatch_cli import credentials, inputs


def write(tmp_path, text, mode=0o600):
    path = tmp_path / "creds"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_key_value_lines_with_comments_exports_and_quotes(tmp_path):
    path = write(
        tmp_path,
        "# IBM\nexport IBM_QUANTUM_TOKEN='abc=def'\nibm_quantum_instance = \"crn:1\"\n\n"
        "aws_access_key_id=AKIA\n",
    )
    assert credentials.read_file(path) == {
        "ibm_quantum_token": "abc=def",
        "ibm_quantum_instance": "crn:1",
        "aws_access_key_id": "AKIA",
    }


def test_json_object(tmp_path):
    path = write(tmp_path, json.dumps({"ionq_api_key": "k", "AWS_DEFAULT_REGION": "us-east-1"}))
    assert credentials.read_file(path) == {"ionq_api_key": "k", "aws_default_region": "us-east-1"}
    write(tmp_path, json.dumps({"ionq_api_key": 3}))
    with pytest.raises(typer.BadParameter, match="one JSON object of text values"):
        credentials.read_file(path)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_files_others_can_read_or_write_are_refused(tmp_path, mode):
    path = write(tmp_path, "ionq_api_key=SECRET", mode)
    with pytest.raises(typer.BadParameter) as err:
        credentials.read_file(path)
    assert f"mode {mode:04o}" in err.value.message and "chmod 600" in err.value.message
    assert "SECRET" not in err.value.message


def test_stricter_modes_are_fine(tmp_path):
    assert credentials.read_file(write(tmp_path, "ionq_api_key=k", 0o400)) == {"ionq_api_key": "k"}


def test_a_directory_or_a_missing_file(tmp_path):
    with pytest.raises(typer.BadParameter, match="no file"):
        credentials.read_file(tmp_path / "missing")
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    with pytest.raises(typer.BadParameter, match="not a regular file"):
        credentials.read_file(folder)


def test_only_the_devices_keys_in_order_option_then_file_then_environment(tmp_path, monkeypatch):
    path = write(tmp_path, "ibm_quantum_token=from-file\nionq_api_key=not-needed\n")
    monkeypatch.setenv("IBM_QUANTUM_TOKEN", "from-env")
    monkeypatch.setenv("IBM_QUANTUM_INSTANCE", "instance-from-env")
    monkeypatch.delenv("QDISPATCH_CREDENTIALS_FILE", raising=False)
    keys = ("ibm_quantum_token", "ibm_quantum_instance")
    assert credentials.for_device(keys, {}, path) == {
        "ibm_quantum_token": "from-file",
        "ibm_quantum_instance": "instance-from-env",
    }
    assert credentials.for_device(keys, {"ibm_quantum_token": "typed"}, path) == {
        "ibm_quantum_instance": "instance-from-env"
    }
    assert credentials.for_device((), {}, None) == {}
    assert credentials.environment_name("aws_secret_access_key") == "AWS_SECRET_ACCESS_KEY"


def test_the_file_may_hold_a_plugin_devices_keys(tmp_path):
    path = write(tmp_path, "fake_token=t\n")
    with pytest.raises(typer.BadParameter, match="'fake_token', which is no credential"):
        credentials.read_file(path)
    assert credentials.read_file(path, ("fake_token",)) == {"fake_token": "t"}


@pytest.mark.parametrize(
    ("items", "words"),
    [
        (["ibm_quantum_token:SECRET"], "the 1st --option has ':' where '=' belongs"),
        (["seed=1", "SECRET"], "the 2nd --option is malformed"),
        (["=SECRET"], "the 1st --option is malformed"),
    ],
)
def test_a_malformed_option_is_never_quoted(items, words):
    with pytest.raises(typer.BadParameter) as err:
        inputs.parse_options(items)
    assert words in err.value.message and "SECRET" not in err.value.message


def test_file_mode_is_read_from_the_file_not_the_name(tmp_path):
    path = write(tmp_path, "ionq_api_key=k")
    os.chmod(path, 0o600)
    assert credentials.file_path(path) == path
