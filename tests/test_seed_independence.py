"""A seed's result does not depend on what else is in the run: the rows of seed s are the same
bytes whether s runs alone or among seeds s, s+1, s+2 (every table with a `seed` column;
`timing` holds wall-clock seconds and is left out)."""

from __future__ import annotations

import pytest
from conftest import EXPERIMENTS

from brainsim import registry
from brainsim.export import TIMING_TABLES, csv_bytes

SEED = 1


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_seed_rows_do_not_depend_on_the_other_seeds(name):
    exp = registry.get(name)
    alone = exp.run(exp.config(seed=SEED, seeds=1))
    among = exp.run(exp.config(seed=SEED, seeds=3))
    checked = 0
    for table, df in alone.items():
        if table in TIMING_TABLES or "seed" not in df.columns:
            continue
        mine = among[table][among[table]["seed"] == SEED].reset_index(drop=True)
        assert set(df["seed"]) == {SEED}, f"{name}/{table}: a one-seed run holds other seeds"
        assert csv_bytes(df.reset_index(drop=True)) == csv_bytes(mine), (
            f"{name}/{table}: seed {SEED}'s rows change when seeds {SEED + 1} and {SEED + 2} run beside it"
        )
        checked += 1
    assert checked, f"{name}: no table has a seed column"
