"""Re-record the golden digests of some experiments' default CLI runs:

    .venv/bin/python tests/golden/record.py NAME [NAME ...]

Only for a change that must alter a result (say which and why in the commit message), or for a
new experiment.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from brainsim import cli  # noqa: E402
from brainsim.export import TIMING_TABLES  # noqa: E402

PATH = os.path.join(HERE, "default_runs.json")


def digests(name: str) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as out:
        if cli.main(["run", name, "--quiet", "--out", out]) != 0:
            raise SystemExit(f"{name}: the default run failed")
        tables = sorted(f[:-4] for f in os.listdir(out) if f.endswith(".csv"))
        return {
            t: hashlib.sha256(open(os.path.join(out, f"{t}.csv"), "rb").read()).hexdigest()
            for t in tables
            if t not in TIMING_TABLES
        }


if __name__ == "__main__":
    golden = json.load(open(PATH, encoding="utf-8"))
    for name in sys.argv[1:]:
        golden[name] = digests(name)
        print(f"{name}: {len(golden[name])} tables recorded")
    with open(PATH, "w", encoding="utf-8") as fh:
        json.dump(golden, fh, indent=1, sort_keys=True)
