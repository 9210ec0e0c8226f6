import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.options import SECRET_OPTION_KEYS, redact, split_options
from qdispatch_core.testing.backend import QPU, SIMULATOR


def test_credentials_are_split_off_and_runtime_options_checked():
    runtime, creds = split_options({"fake_token": "s3cret", "priority": "high"}, QPU)
    assert runtime == {"priority": "high"}
    assert creds == {"fake_token": "s3cret"}


def test_int_options_accept_integral_floats_and_check_the_range():
    assert split_options({"seed": 7.0}, SIMULATOR)[0] == {"seed": 7}
    with pytest.raises(BadRequest) as err:
        split_options({"seed": -1}, SIMULATOR)
    assert err.value.field == "options['seed']" and "[0, 2.14748e+09]" in err.value.message


@pytest.mark.parametrize(
    "options, words",
    [
        ({"sede": 1}, "unknown option for device dummy_simulator"),
        ({"ionq_api_key": "k-123456"}, "a credential of another provider"),
        ({"seed": "1"}, "expected an integer"),
        ({"seed": True}, "expected an integer"),
        ({"priority": "urgent"}, "one of 'low', 'high'"),
    ],
)
def test_rejections_list_what_is_accepted(options, words):
    device = QPU if "priority" in options else SIMULATOR
    with pytest.raises(BadRequest) as err:
        split_options(options, device)
    assert words in err.value.message


def test_unknown_key_lists_the_accepted_ones_and_never_the_value():
    with pytest.raises(BadRequest) as err:
        split_options({"fake_tokn": "VALUE-NOT-SHOWN"}, QPU)
    assert "priority" in err.value.message and "fake_token" in err.value.message
    assert "VALUE-NOT-SHOWN" not in str(err.value)


def test_options_must_be_an_object():
    with pytest.raises(BadRequest) as err:
        split_options(["seed"], SIMULATOR)
    assert err.value.field == "options"


def test_redact_removes_every_provider_credential():
    options = {k: "x" for k in SECRET_OPTION_KEYS} | {"optimization_level": 2}
    assert redact(options) == {"optimization_level": 2}
