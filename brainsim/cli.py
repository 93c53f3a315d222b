"""Command line: `python -m brainsim list` and `python -m brainsim run NAME [--set f=v] [--config F] --out DIR`.

Flags and validation come from the experiment's config declaration, exactly as the sidebar does.
Bad input exits with status 2 and one sentence on stderr; never a traceback. A run the app would refuse
as too long (brainsim.cost) runs here, with a warning and the time left on stderr.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shlex
import sys
import tempfile
import time

from brainsim import config as cfgmod
from brainsim import cost, registry, textio  # light: `list` imports neither torch nor pandas (runtime, export)
from brainsim.config import ConfigError
from brainsim.schema import json_schema

USAGE_ERROR = 2
EXIT_STATUS = (
    "exit status: 0 done; 2 bad input, nothing run: an invalid setting or config file, or an --out folder that "
    "cannot be created or written (one sentence on stderr)."
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one sentence with exit status 2 (its default status too)."""

    def error(self, message: str):
        if len(message) > 300:  # argparse repeats the offending argument whole
            message = message[:300] + "..."
        self.exit(USAGE_ERROR, f"error: {message}\n")


def field_help(cls: type) -> str:
    """Every field with its default, allowed values and help text (for `run NAME --help`)."""
    lines = ["fields (set with --set NAME=VALUE):"]
    for s in cfgmod.specs(cls):
        unit = f" [{s.unit}]" if s.unit else ""
        lines.append(f"  {s.name}{unit}  default: {cfgmod.format_value(s.default)}")
        lines.append(f"      {s.help}")
        lines.append(f"      allowed: {s.allowed()}")
        for other, values in (s.shown_when or {}).items():  # the app shows it only then
            lines.append(f"      used only when {other} is one of: {', '.join(map(str, values))}")
    return "\n".join(lines)


def _experiment(name: str) -> registry.Experiment:
    try:
        return registry.get(name)
    except KeyError:
        raise ConfigError(
            f"Unknown experiment {textio.quote(name, 40)}; known: {', '.join(registry.names())}."
        ) from None


def parse_sets(items: list[str]) -> dict[str, str]:
    values = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--set expects NAME=VALUE, got {textio.quote(item, 40)}.")
        k, v = item.split("=", 1)
        values[k.strip()] = v
    return values


def build_config(exp: registry.Experiment, config_path: str | None, sets: list[str]):
    """Defaults, then the JSON file, then each --set, validated at every step."""
    cfg = exp.config()
    if config_path:
        label = f"Config file {textio.quote(config_path, 77)}"  # bounded, and one sentence for any unreadable path
        raw = textio.read_local(config_path, cfgmod.MAX_JSON_BYTES, label=label)
        cfg = cfgmod.from_json(exp.config, raw, experiment=exp.name)
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


_OS_REASONS = {
    errno.EEXIST: "it is a file, not a folder",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.ENOENT: "the path cannot be created there",
}


def _out_problem(out_dir: str, exc: OSError) -> ConfigError:
    reason = _OS_REASONS.get(exc.errno) or (exc.strerror or type(exc).__name__).lower()
    return ConfigError(f"--out {textio.quote(out_dir, 60)} cannot hold the results: {reason}.")


def prepare_out(out_dir: str) -> None:
    """Create the --out folder and check that a file can be written in it, before anything runs."""
    if "\0" in out_dir:
        raise ConfigError("--out holds a NUL character; give a folder name.")
    try:
        os.makedirs(out_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise _out_problem(out_dir, exc) from None


def write_outputs(exp_name: str, cfg, tables, out_dir: str) -> list[str]:
    """One <table>.csv per table and config.json in `out_dir`; a write that fails is one ConfigError."""
    from brainsim import runtime
    from brainsim.export import csv_bytes

    written = []
    try:
        os.makedirs(out_dir, exist_ok=True)
        for table, df in tables.items():
            path = os.path.join(out_dir, f"{table}.csv")
            with open(path, "wb") as fh:
                fh.write(csv_bytes(df))
            written.append(path)
        path = os.path.join(out_dir, "config.json")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(cfgmod.to_json(cfg, experiment=exp_name, threads=runtime.threads()))
        written.append(path)
    except OSError as exc:
        raise _out_problem(out_dir, exc) from None
    return written


def _parsers() -> tuple[_Parser, _Parser]:
    """The top-level parser and its `run` subparser (whose --help also lists the experiment's fields)."""
    top = _Parser(prog="python -m brainsim", description="Run brainsim experiments headless.", epilog=EXIT_STATUS)
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list experiments")
    p_run = sub.add_parser("run", help="run one experiment and write its tables as CSV", add_help=False)
    p_run.add_argument("name")
    p_run.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override one field")
    p_run.add_argument("--config", metavar="FILE", help="JSON config (as downloaded from the app)")
    p_run.add_argument("--out", metavar="DIR", help="folder for <table>.csv files and config.json")
    p_run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p_run.add_argument(
        "--check", action="store_true", help="validate the settings and --out, print the estimated time, run nothing"
    )
    p_run.add_argument("-h", "--help", action="store_true")
    sub.add_parser("schema", help="print an experiment's JSON schema").add_argument("name")
    from brainsim.sweep import cli as sweep_cli  # the sweep subcommand lives in its own package

    sweep_cli.add_parser(sub)
    return top, p_run


def progress_printer(estimate: float | None):
    """progress(fraction, message) that prints '[ 40%] message, 2 min left' on one stderr line: time left
    from the estimate until 5% is done, then extrapolated from the time taken so far."""
    start = time.perf_counter()
    last = [-1.0, 0.0]  # fraction and time of the last line printed

    def progress(fraction: float, message: str) -> None:
        fraction, now = min(max(float(fraction), 0.0), 1.0), time.perf_counter()
        if fraction < 1.0 and fraction - last[0] < 0.01 and now - last[1] < 1.0:
            return
        last[:] = [fraction, now]
        elapsed = now - start
        left = elapsed * (1 - fraction) / fraction if fraction >= 0.05 else (estimate or 0.0) - elapsed
        tail = f", {cost.describe(left)} left" if fraction < 1 and left > 0.5 else ""
        print(f"\r[{fraction:5.0%}] {(message[:60] + tail):76s}", end="", file=sys.stderr, flush=True)

    return progress


def _run(exp: registry.Experiment, args: argparse.Namespace) -> None:
    """`run NAME`: build the config, check --out, run with progress on stderr, write the tables and config.json."""
    if not args.out and not args.check:
        raise ConfigError("--out DIR is required: the folder for the CSV tables and config.json.")
    cfg = build_config(exp, args.config, args.set)
    if args.out:
        prepare_out(args.out)
    seconds = cost.estimate(exp, cfg)
    if args.check:
        took = "" if seconds is None else f"; estimated run time {cost.describe(seconds)} of one CPU core"
        print(f"{exp.name}: the settings are valid{took} (the app runs up to {cost.BUDGET_S:.0f} s).")
        return
    if seconds is not None and seconds > cost.BUDGET_S:
        print(
            f"warning: this run is estimated at about {cost.describe(seconds)} of one CPU core, over the app's "
            f"budget of {cost.BUDGET_S:.0f} s; it runs here with the time left shown.",
            file=sys.stderr,
        )
    start = time.perf_counter()
    tables = exp.execute(cfg, progress=None if args.quiet else progress_printer(seconds))
    if not args.quiet:
        print(file=sys.stderr)
    written = write_outputs(exp.name, cfg, tables, args.out)
    print(f"{exp.name}: {len(tables)} tables in {time.perf_counter() - start:.2f} s -> {args.out}")
    for path in written:
        print(f"  {path}")


def _list() -> int:
    """`list`: every experiment's name, title and question, read without importing the experiments."""
    for name in registry.names():
        title, question = registry.describe(name)
        print(f"{name:16s} {title}: {question}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["list"]:  # before torch is imported (runtime) and the parsers are built (the sweep's imports it)
        return _list()
    from brainsim import runtime

    runtime.configure()
    top, p_run = _parsers()
    args = top.parse_args(argv)
    try:
        if args.command == "list":
            return _list()
        if args.command == "sweep":
            from brainsim.sweep import cli as sweep_cli

            return sweep_cli.main(args)
        exp = _experiment(args.name)
        if args.command == "schema":
            print(json.dumps(json_schema(exp.config), indent=2))
        elif args.help:
            p_run.print_usage()
            print(f"\n{exp.title}: {exp.question}\n")
            print(field_help(exp.config))
            print(f"\n{EXIT_STATUS}")
        else:
            _run(exp, args)
        return 0
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
