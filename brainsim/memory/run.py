"""The memory page's run: the five conditions on shared seeds and items, then the tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from brainsim.memory import conditions as cond
from brainsim.memory import tables as tab

if TYPE_CHECKING:
    from brainsim.memory.experiment import MemoryConfig


def run(cfg: MemoryConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Retention, spacing, reward, distal-reward and interference conditions, as tidy tables."""
    runner = cond.Runner(cfg, progress)
    bank = runner.items(cfg.n_items + cond.MAX_STREAM, 0)  # (S, B, N) targets, then the stream
    delays = cond.test_delays(cfg)
    study = cond.study(cfg, cfg.schedule)
    ret = cond.retention(runner, bank, study, delays)
    spacing = cond.spacing(runner, bank, ret.on, delays)
    reward = cond.reward(runner, bank, study, delays, ret.on)
    distal = cond.distal(runner, bank)
    inter = cond.interference(runner)
    runner.say(7.5 / cond.PROGRESS_STEPS, "building tables")
    retention = tab.retention_table(ret.tests, delays)
    forgetting, fits = tab.forgetting_tables(retention)
    tables = {
        "traces": tab.traces_table(ret.traces, ret.trace_events, runner.seeds),
        "retention": retention,
        "forgetting": forgetting,
        "forgetting_fits": fits,
        "spacing": tab.spacing_table(spacing, delays),
        "reward": tab.reward_table(reward, delays),
        "distal": tab.distal_table(distal),
        "interference": tab.interference_table(inter),
        "weights": tab.weights_table(ret.snapshot, min(cfg.heatmap_units, cfg.n_units)),
    }
    tables["summary"] = tab.summary_table(tables, runner.counts, ret.t_end)
    tables["timing"] = pd.DataFrame(runner.timing)
    runner.say(1.0, "done")
    return tables
