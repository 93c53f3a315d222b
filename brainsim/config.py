"""One declaration per experiment: a frozen dataclass whose fields carry their own metadata.

`param(...)` attaches default, range or choices, unit and help text to a field. From that
declaration alone we derive the sidebar widgets (brainsim.ui), the CLI flags (brainsim.cli),
validation, the JSON round trip, the URL query string and a JSON schema.

    @dataclass(frozen=True)
    class XorConfig(BaseConfig):
        task: str = param("xor", choices=("and", "or", "xor"), help="Logic task to learn.")
        lr: float = param(0.5, lo=1e-4, hi=50.0, unit="", help="Learning rate η.")

Construction validates, so an invalid config cannot exist: `XorConfig(lr=-1)` raises
ConfigError with one sentence naming the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from dataclasses import dataclass, field
from typing import Any

MAX_JSON_BYTES = 512 * 1024  # a config is a few hundred bytes (plus any pasted CSV); refuse anything absurd
MAX_TEXT_CHARS = 200_000  # pasted data (widget="text" fields): about 5,000 rows of 40 characters


class ConfigError(ValueError):
    """Bad user input: the message is one sentence naming the field and what is allowed."""


@dataclass(frozen=True)
class FieldSpec:
    """Everything the UI and CLI need to know about one config field."""

    name: str
    kind: type  # int, float, bool, str, or tuple (a list of `item_kind`)
    default: Any
    help: str
    label: str
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    item_kind: type | None = None  # element type for tuple fields
    max_items: int = 32
    max_chars: int = 1000  # str fields; widget="text" fields default to MAX_TEXT_CHARS
    widget: str | None = None  # optional override: "slider", "number", "log", "text", "radio"
    step: float | None = None
    is_global: bool = False  # rendered once on the home sidebar (seed, device)
    advanced: bool = False  # rendered inside an "Advanced" expander
    aliases: dict | None = None  # old spellings of choices (saved JSON, links) -> today's choice
    shown_when: dict | None = None  # {"task": ("csv text",)}: the widget shows, under "task", only for those values

    def allowed(self) -> str:
        """Human description of the allowed values, for errors and --help."""
        if self.kind is bool:
            return "true or false"
        if self.kind is tuple:
            inner = f"one of {', '.join(map(str, self.choices))}" if self.choices else _range_text(self)
            return f"a comma-separated list of up to {self.max_items} values, each {inner}"
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        return _range_text(self)

    def applies(self, values: dict) -> bool:
        """Whether the field matters for these values (shown_when met); the app hides it otherwise."""
        return all(values.get(k) in v for k, v in (self.shown_when or {}).items())


def _range_text(spec: FieldSpec) -> str:
    what = {int: "an integer", float: "a number", str: "text"}.get(spec.item_kind or spec.kind, "a value")
    return f"{what} {range_words(spec)}".rstrip()


def range_words(spec: FieldSpec) -> str:
    """'from 1e-05 to 10', 'of at least 0', or '' for a field without bounds (labels and errors)."""
    lo, hi = spec.lo, spec.hi
    if lo is not None and hi is not None:
        return f"from {_fmt(lo)} to {_fmt(hi)}"
    return f"of at least {_fmt(lo)}" if lo is not None else f"of at most {_fmt(hi)}" if hi is not None else ""


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def param(
    default: Any,
    *,
    help: str,
    label: str | None = None,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple | None = None,
    max_items: int = 32,
    max_chars: int | None = None,
    widget: str | None = None,
    step: float | None = None,
    is_global: bool = False,
    advanced: bool = False,
    aliases: dict | None = None,
    shown_when: dict | None = None,
):
    """A dataclass field carrying its UI/CLI/validation metadata."""
    meta = dict(
        help=help,
        label=label,
        unit=unit,
        lo=lo,
        hi=hi,
        choices=tuple(choices) if choices else None,
        max_items=max_items,
        widget=widget,
        step=step,
        is_global=is_global,
        advanced=advanced,
        aliases=aliases,
        shown_when={k: tuple(v) for k, v in shown_when.items()} if shown_when else None,
        max_chars=max_chars or (MAX_TEXT_CHARS if widget == "text" else 1000),
    )
    return field(default=default, metadata={"brainsim": meta})


@dataclass(frozen=True)
class BaseConfig:
    """Fields every experiment shares; they are rendered once, on the global sidebar.

    A subclass that renames a field keeps the old name loadable with a class attribute
    `RENAMED = {"old_name": "new_name"}` (not annotated, so it is not a field)."""

    seed: int = param(
        0,
        lo=0,
        hi=2**31 - 1,
        help="Random seed: same seed, same data, same CSV bytes.",
        is_global=True,
        widget="number",
    )
    device: str = param(
        "auto",
        choices=("auto", "cpu", "cuda"),
        help="Where tensors live: auto picks CUDA when present, else CPU.",
        is_global=True,
    )

    def __post_init__(self):
        for spec in specs(type(self)):
            value = getattr(self, spec.name)
            object.__setattr__(self, spec.name, _check(spec, value))
        problem = self.check()
        if problem:
            raise ConfigError(problem)

    def check(self) -> str | None:
        """Cross-field constraints; return one sentence describing the problem, or None."""
        return None


# --------------------------------------------------------------------------- introspection


def specs(cls: type) -> list[FieldSpec]:
    """The FieldSpecs of a config class, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("brainsim")
        if meta is None:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with param()")
        kind, item_kind = _kind_of(hints[f.name])
        label = meta["label"] or f.name.replace("_", " ")
        if meta["unit"]:
            label = f"{label} ({meta['unit']})"
        meta = {k: v for k, v in meta.items() if k != "label"}
        out.append(FieldSpec(name=f.name, kind=kind, item_kind=item_kind, default=f.default, label=label, **meta))
    return out


def spec_map(cls: type) -> dict[str, FieldSpec]:
    return {s.name: s for s in specs(cls)}


def _kind_of(hint) -> tuple[type, type | None]:
    origin = typing.get_origin(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        return tuple, args[0]
    if hint in (int, float, bool, str):
        return hint, None
    raise TypeError(f"unsupported config field type {hint!r}")


# --------------------------------------------------------------------------- validation


def shown(value: Any) -> str:
    """A user's value as an error repeats it: text quoted and cut (brainsim.textio.quote), numbers as
    written, anything else (a list, an object from JSON) by its kind only, so an error line stays short."""
    from brainsim.textio import quote  # textio imports this module

    if isinstance(value, str):
        return quote(value, 40)
    if isinstance(value, (bool, float)) or (isinstance(value, int) and value.bit_length() < 128):
        return repr(value)
    return "a very long integer" if isinstance(value, int) else f"a JSON {type(value).__name__}"


def check_field(spec: FieldSpec, value: Any) -> Any:
    """One field's value alone, coerced and checked (type, range, choices), without the cross-field checks."""
    return _check(spec, value)


def _check(spec: FieldSpec, value: Any) -> Any:
    """Coerce `value` to the field's type and check range/choices; raise ConfigError otherwise."""
    if spec.kind is tuple:
        if isinstance(value, str):
            value = [v for v in (p.strip() for p in value.split(",")) if v]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"Field '{spec.name}' must be {spec.allowed()}.")
        if len(value) > spec.max_items:
            raise ConfigError(f"Field '{spec.name}' has {len(value)} values; at most {spec.max_items} are allowed.")
        item_spec = dataclasses.replace(spec, kind=spec.item_kind, item_kind=None)
        try:
            return tuple(_check(item_spec, v) for v in value)
        except ConfigError:
            raise ConfigError(f"Field '{spec.name}' must be {spec.allowed()}.") from None
    v = _coerce(spec, value)
    if spec.aliases and v in spec.aliases:  # an old spelling from a saved config or link
        v = spec.aliases[v]
    if spec.choices is not None and v not in spec.choices:
        raise ConfigError(f"Field '{spec.name}' got {shown(value)}; allowed: {', '.join(map(str, spec.choices))}.")
    if spec.kind in (int, float):
        if (spec.lo is not None and v < spec.lo) or (spec.hi is not None and v > spec.hi):
            raise ConfigError(f"Field '{spec.name}' got {shown(value)}; it must be {spec.allowed()}.")
    return v


def _coerce(spec: FieldSpec, value: Any) -> Any:
    bad = ConfigError(f"Field '{spec.name}' got {shown(value)}; it must be {spec.allowed()}.")
    kind = spec.kind
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
            return value.strip().lower() in ("true", "1", "yes", "on")
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise bad
    if kind is int:
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                try:
                    f = float(value)
                except ValueError:
                    raise bad from None
                if f.is_integer():
                    return int(f)
        raise bad
    if kind is float:
        if isinstance(value, bool):
            raise bad
        try:
            if isinstance(value, (int, float)):
                v = float(value)
            elif isinstance(value, str):
                v = float(value.strip())
            else:
                raise bad
        except (ValueError, OverflowError):  # not a number, or an integer too large for a float
            raise bad from None
        if not math.isfinite(v):
            raise bad
        return v + 0.0  # -0.0 becomes 0.0: a sign on zero means nothing here (numpy refuses scale=-0.0)
    if kind is str:
        if not isinstance(value, str):
            raise bad
        if len(value) > spec.max_chars:
            raise ConfigError(
                f"Field '{spec.name}' holds {len(value)} characters; at most {spec.max_chars} are allowed."
            )
        return value
    raise bad


def make(cls: type, values: dict[str, Any] | None = None, base: Any = None):
    """Build a config of `cls` from `values` (strings or JSON values), over `base` or the defaults.

    Unknown field names raise ConfigError naming the field and listing the known ones.
    """
    values = renamed_fields(cls, values or {})
    known = spec_map(cls)
    unknown = [k for k in values if k not in known]
    if unknown:
        raise ConfigError(f"Unknown field {shown(unknown[0])}; known fields: {', '.join(known)}.")
    current = to_dict(base) if base is not None else {}
    current.update(values)
    return cls(**current)


def renamed_fields(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with old field names (a config class's RENAMED, old -> new) given today's names, so
    configs saved and links shared before a rename still load; today's name wins when both are given."""
    renamed = getattr(cls, "RENAMED", {})
    out = {k: v for k, v in values.items() if k not in renamed}
    for old, new in renamed.items():
        if old in values and new not in out:
            out[new] = values[old]
    return out


def to_dict(cfg) -> dict[str, Any]:
    """Plain JSON-able dict of every field (tuples become lists)."""
    return {f.name: (list(v) if isinstance(v := getattr(cfg, f.name), tuple) else v) for f in dataclasses.fields(cfg)}


def to_json(cfg, experiment: str | None = None, threads: int | None = None) -> str:
    """Config as pretty JSON with the experiment name (an upload is checked) and the torch thread count of a run."""
    doc = {"experiment": experiment, **to_dict(cfg)} if experiment else to_dict(cfg)
    doc.update({} if threads is None else {"threads": threads})  # a record, not a field: from_json drops it
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def from_json(cls: type, text: str | bytes, experiment: str | None = None):
    """Parse an uploaded/CLI JSON config; every problem becomes one ConfigError sentence."""
    if isinstance(text, bytes):
        if len(text) > MAX_JSON_BYTES:
            raise ConfigError(f"The config file is {len(text)} bytes; at most {MAX_JSON_BYTES} are allowed.")
        try:
            text = text.decode("utf-8-sig")  # a leading byte-order mark is dropped, as some editors write one
        except UnicodeDecodeError:
            raise ConfigError("The config file is not UTF-8 text; upload a JSON file.") from None
    elif len(text) > MAX_JSON_BYTES:
        raise ConfigError(f"The config file is {len(text)} characters; at most {MAX_JSON_BYTES} are allowed.")
    try:
        doc = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"The config file is not valid JSON (line {exc.lineno}, column {exc.colno}).") from None
    except RecursionError:
        raise ConfigError("The config file nests arrays or objects too deeply; a config is one flat object.") from None
    except ValueError:  # Python refuses to convert an integer of more than 4,300 digits
        raise ConfigError("The config file holds a number too long to read; a config's numbers are short.") from None
    if not isinstance(doc, dict):
        raise ConfigError("The config file must hold a JSON object of field names and values.")
    name = doc.pop("experiment", None)
    doc.pop("threads", None)  # a record of the run (to_json), not a setting
    if experiment and name is not None and name != experiment:
        raise ConfigError(f"The config file is for experiment {shown(name)}, not '{experiment}'.")
    return make(cls, doc)


def to_query(cfg) -> dict[str, str]:
    """URL query parameters: every field (seed and device too) as the string a link carries."""
    return {spec.name: format_value(getattr(cfg, spec.name)) for spec in specs(type(cfg))}


def format_value(v: Any) -> str:
    """Inverse of the string parsing in `_coerce`: what a CLI flag or URL parameter carries."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return ",".join(format_value(x) for x in v)
    if isinstance(v, float):
        return repr(v)
    return str(v)
