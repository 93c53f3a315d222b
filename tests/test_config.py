"""The config declaration: validation, coercion, JSON and URL round trips, schema."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError, dataclass

import pytest

from brainsim import config as C
from brainsim.config import BaseConfig, ConfigError, param
from brainsim.schema import json_schema


@dataclass(frozen=True)
class Demo(BaseConfig):
    rate: float = param(0.5, lo=0.0, hi=1.0, unit="1/s", help="A rate.")
    count: int = param(3, lo=1, hi=10, help="A count.")
    mode: str = param("a", choices=("a", "b"), help="A mode.")
    flag: bool = param(False, help="A flag.")
    delays: tuple[float, ...] = param((1.0, 2.0), lo=0.0, hi=100.0, max_items=4, help="Delays.")
    picks: tuple[str, ...] = param(("x",), choices=("x", "y", "z"), help="Picks.")

    def check(self):
        return "Field 'count' must be at least 2 when mode is b." if self.mode == "b" and self.count < 2 else None


def test_defaults_and_specs():
    d = Demo()
    assert (d.seed, d.device, d.rate, d.delays) == (0, "auto", 0.5, (1.0, 2.0))
    spec = C.spec_map(Demo)["rate"]
    assert spec.label == "rate (1/s)" and spec.lo == 0.0 and spec.hi == 1.0
    assert C.spec_map(Demo)["seed"].is_global and not spec.is_global


def test_frozen_and_hashable():
    d = Demo()
    with pytest.raises(FrozenInstanceError):
        d.rate = 0.1
    assert hash(d) == hash(Demo()) and d == Demo()


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"rate": 2.0}, "Field 'rate' got 2.0; it must be a number from 0 to 1"),
        ({"rate": "fast"}, "Field 'rate'"),
        ({"rate": float("nan")}, "Field 'rate'"),
        ({"count": 2.5}, "Field 'count'"),
        ({"count": True}, "Field 'count'"),
        ({"mode": "c"}, "allowed: a, b"),
        ({"flag": "maybe"}, "true or false"),
        ({"delays": "1, 2, x"}, "Field 'delays'"),
        ({"delays": [1, 2, 3, 4, 5]}, "at most 4"),
        ({"picks": ["w"]}, "Field 'picks'"),
        ({"nope": 1}, "Unknown field 'nope'"),
        ({"mode": "b", "count": 1}, "at least 2 when mode is b"),
    ],
)
def test_bad_values_give_one_sentence(values, fragment):
    with pytest.raises(ConfigError) as err:
        C.make(Demo, values)
    msg = str(err.value)
    assert fragment in msg
    assert msg.endswith(".") and "\n" not in msg


def test_string_coercion_from_cli_and_url():
    d = C.make(Demo, {"rate": "0.25", "count": "7", "flag": "true", "delays": "3, 4.5", "picks": "y,z"})
    assert (d.rate, d.count, d.flag, d.delays, d.picks) == (0.25, 7, True, (3.0, 4.5), ("y", "z"))


def test_json_round_trip_and_experiment_name():
    d = C.make(Demo, {"rate": 0.1, "delays": [5.0], "picks": ["z", "x"], "seed": 42})
    text = C.to_json(d, experiment="demo")
    assert json.loads(text)["experiment"] == "demo"
    assert C.from_json(Demo, text, experiment="demo") == d
    with pytest.raises(ConfigError, match="is for experiment 'demo', not 'other'"):
        C.from_json(Demo, text, experiment="other")


def test_query_round_trip():
    d = C.make(Demo, {"rate": 0.1, "delays": [5.0, 0.5], "flag": True})
    assert C.make(Demo, C.to_query(d)) == d


@pytest.mark.parametrize(
    "payload, fragment",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b"{" + b" " * (C.MAX_JSON_BYTES + 1) + b"}", "at most"),
        (b'{"rate": "x"}', "Field 'rate'"),
    ],
)
def test_malformed_json(payload, fragment):
    with pytest.raises(ConfigError, match=fragment):
        C.from_json(Demo, payload)


def test_json_schema_lists_every_field():
    schema = json_schema(Demo)
    assert set(schema["properties"]) == {"seed", "device", "rate", "count", "mode", "flag", "delays", "picks"}
    assert schema["properties"]["mode"]["enum"] == ["a", "b"]
    assert schema["properties"]["delays"]["items"]["maximum"] == 100.0


def test_every_registered_config_is_fully_declared(experiment):
    specs = C.specs(experiment.config)
    assert {"seed", "device"} <= {s.name for s in specs}
    for s in specs:
        assert s.help, f"{experiment.name}.{s.name} has no help text"
        if s.kind in (int, float):
            assert s.lo is not None and s.hi is not None, f"{experiment.name}.{s.name} is unbounded"
    experiment.config()  # defaults are valid


@dataclass(frozen=True)
class Renamed(BaseConfig):
    RENAMED = {"n_seeds": "seeds", "old_rate": "rate"}  # not annotated: a class attribute, not a field

    seeds: int = param(3, lo=1, hi=10, help="Seeds.")
    rate: float = param(0.5, lo=0.0, hi=1.0, help="A rate.")


def test_renamed_fields_map_old_names_to_todays():
    assert C.renamed_fields(Renamed, {"n_seeds": "2", "rate": 0.1}) == {"seeds": "2", "rate": 0.1}
    assert C.renamed_fields(Renamed, {"n_seeds": 2, "seeds": 5}) == {"seeds": 5}  # today's name wins
    assert C.renamed_fields(Demo, {"count": 2}) == {"count": 2}  # a class without RENAMED


def test_saved_config_and_link_with_old_field_names_still_load():
    assert C.make(Renamed, {"n_seeds": "2", "old_rate": "0.25"}) == Renamed(seeds=2, rate=0.25)
    assert C.from_json(Renamed, '{"n_seeds": 4}') == Renamed(seeds=4)
    assert "n_seeds" not in C.to_dict(Renamed(seeds=4)) and "n_seeds" not in C.to_query(Renamed())
    with pytest.raises(ConfigError, match="Field 'seeds'"):
        C.make(Renamed, {"n_seeds": 0})


@pytest.mark.parametrize(
    "payload, fragment",
    [
        (b"[" * 100_000 + b"]" * 100_000, "too deeply"),
        (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "too deeply"),
        (b'{"count": ' + b"1" * 5000 + b"}", "number too long"),
    ],
)
def test_json_that_python_cannot_read_is_one_sentence(payload, fragment):
    with pytest.raises(ConfigError, match=fragment):
        C.from_json(Demo, payload)


def test_byte_order_mark_before_json_is_accepted():
    assert C.from_json(Demo, b"\xef\xbb\xbf{}") == Demo()
    assert C.from_json(Demo, '\ufeff{"count": 4}') == Demo(count=4)


def test_negative_zero_becomes_zero():
    d = C.make(Demo, {"rate": "-0", "delays": "-0.0, 1"})
    assert math.copysign(1.0, d.rate) == 1.0 and math.copysign(1.0, d.delays[0]) == 1.0


def test_integer_too_large_for_a_float_is_refused():
    with pytest.raises(ConfigError, match="Field 'rate'"):
        C.make(Demo, {"rate": 10**400})


@pytest.mark.parametrize("values", [{"mode": "x" * 100_000}, {"rate": "9" * 100_000}, {"z" * 100_000: 1}])
def test_an_error_never_repeats_a_long_value_whole(values):
    with pytest.raises(ConfigError) as err:
        C.make(Demo, values)
    assert len(str(err.value)) < 300
