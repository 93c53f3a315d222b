"""Command line: `python -m brainsim list` and `python -m brainsim run NAME [--set f=v] [--config F] --out DIR`.

Flags and validation come from the experiment's config declaration, exactly as the sidebar does.
Bad input exits with status 2 and one sentence on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time

from brainsim import config as cfgmod
from brainsim import registry, runtime
from brainsim.config import ConfigError
from brainsim.export import csv_bytes

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one sentence with exit status 2 (its default status too)."""

    def error(self, message: str):
        self.exit(USAGE_ERROR, f"error: {message}\n")


def field_help(cls: type) -> str:
    """Every field with its default, allowed values and help text (for `run NAME --help`)."""
    lines = ["fields (set with --set NAME=VALUE):"]
    for s in cfgmod.specs(cls):
        unit = f" [{s.unit}]" if s.unit else ""
        lines.append(f"  {s.name}{unit}  default: {cfgmod.format_value(s.default)}")
        lines.append(f"      {s.help}")
        lines.append(f"      allowed: {s.allowed()}")
    return "\n".join(lines)


def _experiment(name: str) -> registry.Experiment:
    try:
        return registry.get(name)
    except KeyError:
        raise ConfigError(f"Unknown experiment '{name}'; known: {', '.join(registry.names())}.") from None


def parse_sets(items: list[str]) -> dict[str, str]:
    values = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--set expects NAME=VALUE, got '{item}'.")
        k, v = item.split("=", 1)
        values[k.strip()] = v
    return values


def build_config(exp: registry.Experiment, config_path: str | None, sets: list[str]):
    """Defaults, then the JSON file, then each --set, validated at every step."""
    cfg = exp.config()
    if config_path:
        if not os.path.isfile(config_path):
            raise ConfigError(f"Config file '{config_path}' does not exist.")
        with open(config_path, "rb") as fh:
            cfg = cfgmod.from_json(exp.config, fh.read(cfgmod.MAX_JSON_BYTES + 1), experiment=exp.name)
    cfg = cfgmod.make(exp.config, parse_sets(sets), base=cfg)
    if exp.validate_inputs:
        exp.validate_inputs(cfg)
    return cfg


def command_line(name: str, cfg) -> str:
    """The shell command that reruns `cfg` headless: one --set per field that differs from the default."""
    defaults = type(cfg)()
    sets = [
        f"--set {shlex.quote(f'{s.name}={cfgmod.format_value(getattr(cfg, s.name))}')}"
        for s in cfgmod.specs(type(cfg))
        if getattr(cfg, s.name) != getattr(defaults, s.name)
    ]
    return " ".join(["python -m brainsim run", name, *sets, f"--out results/{name}"])


def write_outputs(exp_name: str, cfg, tables, out_dir: str) -> list[str]:
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for table, df in tables.items():
        path = os.path.join(out_dir, f"{table}.csv")
        with open(path, "wb") as fh:
            fh.write(csv_bytes(df))
        written.append(path)
    path = os.path.join(out_dir, "config.json")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(cfgmod.to_json(cfg, experiment=exp_name))
    written.append(path)
    return written


def _parsers() -> tuple[_Parser, _Parser]:
    """The top-level parser and its `run` subparser (whose --help also lists the experiment's fields)."""
    top = _Parser(prog="python -m brainsim", description="Run brainsim experiments headless.")
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list experiments")
    p_run = sub.add_parser("run", help="run one experiment and write its tables as CSV", add_help=False)
    p_run.add_argument("name")
    p_run.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override one field")
    p_run.add_argument("--config", metavar="FILE", help="JSON config (as downloaded from the app)")
    p_run.add_argument("--out", metavar="DIR", help="folder for <table>.csv files and config.json")
    p_run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p_run.add_argument("-h", "--help", action="store_true")
    sub.add_parser("schema", help="print an experiment's JSON schema").add_argument("name")
    return top, p_run


def _run(exp: registry.Experiment, args: argparse.Namespace) -> None:
    """`run NAME`: build the config, run with progress on stderr, write the tables and config.json."""
    if not args.out:
        raise ConfigError("--out DIR is required: the folder for the CSV tables and config.json.")
    cfg = build_config(exp, args.config, args.set)
    start = time.perf_counter()
    shown = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if not args.quiet and (fraction >= 1.0 or fraction - shown[0] >= 0.05):
            shown[0] = fraction
            print(f"\r[{fraction:5.0%}] {message[:70]:70s}", end="", file=sys.stderr, flush=True)

    tables = exp.run(cfg, progress=progress)
    if not args.quiet:
        print(file=sys.stderr)
    written = write_outputs(exp.name, cfg, tables, args.out)
    print(f"{exp.name}: {len(tables)} tables in {time.perf_counter() - start:.2f} s -> {args.out}")
    for path in written:
        print(f"  {path}")


def main(argv: list[str] | None = None) -> int:
    runtime.configure()
    top, p_run = _parsers()
    args = top.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "list":
            for name in registry.names():
                exp = registry.get(name)
                print(f"{name:16s} {exp.title}: {exp.question}")
            return 0
        exp = _experiment(args.name)
        if args.command == "schema":
            print(json.dumps(cfgmod.json_schema(exp.config), indent=2))
        elif args.help:
            p_run.print_usage()
            print(f"\n{exp.title}: {exp.question}\n")
            print(field_help(exp.config))
        else:
            _run(exp, args)
        return 0
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
