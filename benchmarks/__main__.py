"""`python -m benchmarks`: the spine's figures, then each experiment's own benchmark module."""

import importlib
import pkgutil
import sys

import benchmarks
from brainsim import runtime


def main() -> int:
    runtime.configure()  # the thread count and allocator settings the app and the CLI run with
    only = sys.argv[1:]
    modules = ["bench_spine"] + sorted(
        m.name
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_") and m.name != "bench_spine"
    )
    for name in modules:
        if only and name.removeprefix("bench_") not in only:
            continue
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


sys.exit(main())
