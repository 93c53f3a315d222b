"""`python -m brainsim sweep NAME --grid FIELD=VALUES ... --out DIR`: the sweep subcommand (brainsim.cli delegates).

python -m brainsim sweep xor --grid hidden=2,4,8 --grid lr=0.001:1:4:log --seeds 5 --out results/sweep
python -m brainsim sweep xor ... --backend ray --address ray://head:10001     (or RAY_ADDRESS=...)
"""

from __future__ import annotations

import argparse
import os
import sys

from brainsim import config as cfgmod
from brainsim import cost
from brainsim.config import ConfigError
from brainsim.sweep import backends, grid, runner

EXIT_STATUS = (
    "exit status: 0 every point done; 1 some points failed (their error sentences are in sweep.json); 2 bad "
    "input, nothing run (one sentence on stderr); 130 interrupted (finished points are kept: rerun to resume)."
)
GRID_HELP = (
    "FIELD=v1,v2,v3 (a list field's values separated by ';') or FIELD=FROM:TO:COUNT[:log]; repeat for more "
    "fields: the sweep runs their cartesian product"
)


def add_parser(sub) -> None:
    """The `sweep` subparser, added to brainsim.cli's subcommands."""
    p = sub.add_parser(
        "sweep",
        help="run one experiment over a grid of settings and seeds; one tidy CSV per table",
        description="Run an experiment over a grid of settings and seeds, resumably; see README 'Sweeps'.",
        epilog=EXIT_STATUS,
    )
    p.add_argument("name")
    p.add_argument("--grid", action="append", default=[], metavar="FIELD=VALUES", help=GRID_HELP)
    p.add_argument("--random", type=int, metavar="M", help="run M points drawn at random from the grid")
    p.add_argument("--seeds", type=int, default=1, metavar="K", help="seeds per grid point (default 1)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="fix one field for every point")
    p.add_argument("--config", metavar="FILE", help="JSON config every point starts from")
    p.add_argument("--out", metavar="DIR", required=True, help="folder for <table>.csv, sweep.json and points/")
    p.add_argument("--jobs", type=int, metavar="J", help="local worker processes (default: one per CPU core)")
    p.add_argument("--backend", choices=("local", "ray"), default="local", help="where points run (default local)")
    p.add_argument("--address", metavar="ADDR", help="Ray cluster address (default: RAY_ADDRESS)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--check", action="store_true", help="validate every point, print the count and cost, run nothing")


def plan(args: argparse.Namespace):
    """(experiment, points, settings) from the arguments, every point validated; ConfigError otherwise."""
    from brainsim import cli

    exp = cli._experiment(args.name)
    base = cli.build_config(exp, args.config, args.set)
    fields = grid.parse_grid(exp.config, args.grid)
    points = grid.expand(exp.name, exp.config, base, fields, seeds=args.seeds, random=args.random)
    if exp.validate_inputs:
        for point in points:
            exp.validate_inputs(point.config)
    if args.jobs is not None and not 1 <= args.jobs <= 1024:
        raise ConfigError(f"--jobs got {args.jobs}; it must be from 1 to 1024.")
    if args.backend == "ray" and not (args.address or os.environ.get("RAY_ADDRESS")):
        raise ConfigError("--backend ray needs the cluster's address: give --address or set RAY_ADDRESS.")
    settings = {
        "grid": {k: [v if not isinstance(v, tuple) else list(v) for v in vs] for k, vs in fields.items()},
        "seeds": args.seeds,
        "random": args.random,
        "base_config": cfgmod.to_dict(base),
    }
    return exp, points, settings


def estimated_seconds(exp, points) -> float | None:
    """The sweep's estimated CPU-core seconds: the sum of each point's brainsim.cost estimate."""
    seconds = [cost.estimate(exp, p.config) for p in points]
    return None if any(s is None for s in seconds) else float(sum(seconds))


def main(args: argparse.Namespace) -> int:
    from brainsim import cli

    try:
        exp, points, settings = plan(args)
        cli.prepare_out(args.out)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return cli.USAGE_ERROR
    seconds = estimated_seconds(exp, points)
    took = "" if seconds is None else f", estimated {cost.describe(seconds)} of one CPU core in all"
    where = f"Ray at {args.address or os.environ.get('RAY_ADDRESS')}" if args.backend == "ray" else "local"
    jobs = args.jobs or backends.default_jobs()
    workers = "" if args.backend == "ray" else f" with {min(jobs, len(points))} worker processes"
    print(f"{exp.name} sweep: {len(points)} points{took}; backend {where}{workers}.", file=sys.stderr)
    if args.check:
        print(f"{exp.name}: the sweep's {len(points)} points are valid{took}.")
        return 0
    progress = None if args.quiet else runner.progress_line()
    try:
        report = runner.run_sweep(
            exp.name,
            points,
            args.out,
            backend=args.backend,
            jobs=jobs,
            address=args.address,
            progress=progress,
            settings=settings,
        )
    except KeyboardInterrupt:
        print("\ninterrupted: every finished point is stored; rerun the same command to resume.", file=sys.stderr)
        return 130
    except Exception as exc:  # a worker or the cluster lost (out of memory, connection): one sentence, no traceback
        from brainsim.workers import failure_sentence

        reason = failure_sentence(exc).removeprefix("The run failed ").rstrip(".")
        print(f"\nerror: the sweep stopped {reason}; every finished point is stored, rerun to resume.", file=sys.stderr)
        return 1
    print(
        f"{exp.name} sweep: {report.total} points ({report.ran} run now, {report.skipped} already stored, "
        f"{report.failed} failed) in {report.seconds:.2f} s -> {args.out}"
    )
    for path in report.written:
        print(f"  {path}")
    return 1 if report.failed else 0
