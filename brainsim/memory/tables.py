"""The page's tidy tables, built from the conditions' raw read-outs: traces, retention, spacing,
reward, distal reward, interference, weights, the Ebbinghaus (1885) data with a two-timescale fit,
and the summary and headline numbers."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from brainsim.memory.conditions import N_FIRST
from brainsim.memory.schedule import DAY, HOUR, MIN, Event, label
from brainsim.memory.sim import BP_NAME, SYN_NAME

# Ebbinghaus (1885) savings after relearning nonsense-syllable lists (delay in seconds, savings %).
EBBINGHAUS = (
    (20 * MIN, 58.2),
    (HOUR, 44.2),
    (8.8 * HOUR, 35.8),
    (DAY, 33.7),
    (2 * DAY, 27.8),
    (6 * DAY, 25.4),
    (31 * DAY, 21.1),
)
_MEANS = dict(recall=("recall", "mean"), strength=("strength", "mean"), strength_slow=("strength_slow", "mean"))


def traces_table(tr: pd.DataFrame, events: list[Event]) -> pd.DataFrame:
    """Trace samples of the first items, with their presentations and rewards as `event` rows (seed -1)."""
    rows = tr.assign(event="test")[
        ["learner", "item", "seed", "t_s", "event", "strength_fast", "strength_slow", "strength", "recall"]
    ]
    ev_rows = [
        dict(
            learner=SYN_NAME,
            item=e.item,
            seed=-1,
            t_s=e.t,
            event="presentation" if e.kind == "present" else "reward",
            strength_fast=np.nan,
            strength_slow=np.nan,
            strength=np.nan,
            recall=np.nan,
        )
        for e in events
    ]
    out = pd.concat([rows, pd.DataFrame(ev_rows)], ignore_index=True)
    out["t_h"] = out["t_s"] / HOUR
    out = out.sort_values(["learner", "item", "event", "seed", "t_s"], kind="stable").reset_index(drop=True)
    return out[
        ["learner", "item", "seed", "event", "t_s", "t_h", "strength_fast", "strength_slow", "strength", "recall"]
    ]


def _with_delay(g: pd.DataFrame, delays: list[float]) -> pd.DataFrame:
    """Name the test tag `delay` and add its seconds, carried from the parsed delays (not the label)."""
    g = g.rename(columns={"tag": "delay"})
    g["delay_s"] = g["delay"].map({label(d): d for d in delays})
    return g


def retention_table(df: pd.DataFrame, delays: list[float]) -> pd.DataFrame:
    """Mean over items per (condition, learner, seed, delay)."""
    g = df.groupby(["condition", "learner", "seed", "tag"], sort=False, as_index=False).agg(
        t_s=("t_s", "first"),
        recall=("recall", "mean"),
        strength=("strength", "mean"),
        strength_fast=("strength_fast", "mean"),
        strength_slow=("strength_slow", "mean"),
        diverged=("diverged", "any"),
    )
    g = _with_delay(g, delays)
    g["delay_h"] = g["delay_s"] / HOUR
    g = g.sort_values(["condition", "learner", "seed", "delay_s"], kind="stable").reset_index(drop=True)
    cols = ["condition", "learner", "seed", "delay", "delay_s", "delay_h", "recall", "strength"]
    return g[[*cols, "strength_fast", "strength_slow", "diverged"]]


def spacing_table(df: pd.DataFrame, delays: list[float]) -> pd.DataFrame:
    """Mean over items at the shortest and the longest delay, per (schedule, learner, seed)."""
    short, long_ = label(delays[0]), label(delays[-1])
    df = df[df.tag.isin([short, long_])]
    g = df.groupby(["schedule", "learner", "seed", "tag"], sort=False, as_index=False).agg(**_MEANS)
    g["test"] = np.where(g["tag"] == short, "short delay", "long delay")
    g = _with_delay(g, delays)
    g = g.sort_values(["schedule", "learner", "seed", "delay_s"], kind="stable").reset_index(drop=True)
    return g[["schedule", "learner", "test", "delay", "delay_s", "seed", "recall", "strength", "strength_slow"]]


def reward_table(df: pd.DataFrame, delays: list[float]) -> pd.DataFrame:
    """Mean over rewarded and over unrewarded items per (learner, seed, delay)."""
    df = df.assign(condition=np.where(df["rewarded"], "rewarded", "unrewarded"))
    g = df.groupby(["condition", "learner", "seed", "tag"], sort=False, as_index=False).agg(**_MEANS)
    g = _with_delay(g, delays)
    g["delay_h"] = g["delay_s"] / HOUR
    g = g.sort_values(["condition", "learner", "seed", "delay_s"], kind="stable").reset_index(drop=True)
    return g[["condition", "learner", "seed", "delay", "delay_s", "delay_h", "recall", "strength", "strength_slow"]]


def distal_table(df: pd.DataFrame) -> pd.DataFrame:
    """Mean over rewarded items per (tau_e, reward delay, seed)."""
    df = df.groupby(["tau_e_s", "reward_delay_s", "learner", "seed"], sort=True, as_index=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean")
    )
    df["condition"] = "rewarded items, R = 1"
    df["learner"] = "three-factor"
    return df[["condition", "learner", "tau_e_s", "reward_delay_s", "seed", "recall", "strength"]]


def interference_table(df: pd.DataFrame) -> pd.DataFrame:
    """Mean over the first items per (learner, seed, items learned so far)."""
    df = df.groupby(["learner", "seed", "n_learned"], sort=True, as_index=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean"), diverged=("diverged", "any")
    )
    return df[["learner", "n_learned", "seed", "recall", "strength", "diverged"]]


def weights_table(snap: dict, m: int) -> pd.DataFrame:
    """The first m x m weights of each component (seed 0), one row per synapse; absent components skipped."""
    parts = []
    ii, jj = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    for comp, key in (("fast (short-term)", "fast"), ("slow (long-term)", "slow"), ("backprop", "backprop")):
        w = snap.get(key)
        if w is None:
            continue
        parts.append(
            pd.DataFrame(dict(component=comp, post=ii.ravel(), pre=jj.ravel(), w=w[:m, :m].cpu().numpy().ravel()))
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class TwoTimescaleFit:
    """y ~ a e^{-t/tau_fast} + b e^{-t/tau_slow} (times in seconds) and its root-mean-square error."""

    a: float
    tau_fast: float
    b: float
    tau_slow: float
    rmse: float

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return self.a * np.exp(-t / self.tau_fast) + self.b * np.exp(-t / self.tau_slow)


def fit_two_timescales(t: np.ndarray, y: np.ndarray) -> TwoTimescaleFit:
    """Least-squares fit y ~ a e^{-t/tau_f} + b e^{-t/tau_s} (a, b >= 0) by a log grid over the two time
    constants and non-negative linear least squares for the amplitudes."""
    best = None
    for tf in np.geomspace(60.0, 2 * DAY, 60):
        for ts in np.geomspace(DAY, 20 * 365 * DAY, 80):
            a_mat = np.stack([np.exp(-t / tf), np.exp(-t / ts)], axis=1)
            coef, *_ = np.linalg.lstsq(a_mat, y, rcond=None)
            coef = np.clip(coef, 0.0, None)
            err = float(np.sqrt(np.mean((a_mat @ coef - y) ** 2)))
            if best is None or err < best.rmse:
                best = TwoTimescaleFit(float(coef[0]), float(tf), float(coef[1]), float(ts), err)
    return best


def ebbinghaus_table() -> pd.DataFrame:
    """Ebbinghaus' savings and the two-timescale fit on a log grid of delays."""
    return _ebbinghaus_cached().copy()


@functools.lru_cache(maxsize=1)
def _ebbinghaus_cached() -> pd.DataFrame:
    """Constant data and its fit: computed once per process."""
    t = np.array([d for d, _ in EBBINGHAUS])
    y = np.array([s for _, s in EBBINGHAUS]) / 100.0
    fit = fit_two_timescales(t, y)
    grid = np.geomspace(10 * MIN, 40 * DAY, 40)
    data = pd.DataFrame(dict(source="ebbinghaus 1885", delay_s=t, savings=y))
    curve = pd.DataFrame(dict(source="two-timescale fit", delay_s=grid, savings=fit(grid)))
    out = pd.concat([data, curve], ignore_index=True)
    out["delay_h"] = out["delay_s"] / HOUR
    out["tau_fast_min"] = fit.tau_fast / MIN
    out["tau_slow_d"] = fit.tau_slow / DAY
    return out[["source", "delay_s", "delay_h", "savings", "tau_fast_min", "tau_slow_d"]]


def _mean_rows(df: pd.DataFrame, by: list[str], part: str, measure: str) -> list[dict]:
    """One summary row per (condition, learner) group of the columns `by`: the mean recall."""
    rows = []
    for (cond, learner), g in df.groupby(by, sort=True):
        rows.append(dict(part=part, condition=cond, learner=learner, measure=measure, value=g["recall"].mean()))
    return rows


def summary_table(t: dict[str, pd.DataFrame], counts: dict, t_end: float) -> pd.DataFrame:
    """Headline numbers of every part, one row each: part, condition, learner, measure, value."""
    ret = t["retention"]
    short, long_ = ret["delay_s"].min(), ret["delay_s"].max()
    rows = []
    for (cond, learner), g in ret.groupby(["condition", "learner"], sort=True):
        for d in (short, long_):
            value = g[g.delay_s == d]["recall"].mean()
            rows.append(
                dict(part="retention", condition=cond, learner=learner, measure=f"recall at {label(d)}", value=value)
            )
    at_long = f"recall at {label(long_)}"
    sp, rw, it = t["spacing"], t["reward"], t["interference"]
    rows += _mean_rows(sp[sp.test == "long delay"], ["schedule", "learner"], "spacing", at_long)
    rows += _mean_rows(rw[rw.delay_s == rw.delay_s.max()], ["condition", "learner"], "reward-gated", at_long)
    for learner, g in it.groupby("learner", sort=True):
        n_max = g.n_learned.max()
        value = g[g.n_learned == n_max]["recall"].mean()
        rows.append(
            dict(
                part="interference",
                condition=f"after {int(n_max)} items",
                learner=learner,
                measure=f"recall of first {N_FIRST} items",
                value=value,
            )
        )
    eb = t["ebbinghaus"]
    for measure, col in (("tau_fast (min)", "tau_fast_min"), ("tau_slow (d)", "tau_slow_d")):
        rows.append(
            dict(part="ebbinghaus fit", condition="", learner="", measure=measure, value=float(eb[col].iloc[0]))
        )
    for k, v in counts.items():
        rows.append(dict(part="budget", condition="all", learner="", measure=k, value=float(v)))
    rows.append(dict(part="budget", condition="", learner="", measure="study span (h)", value=t_end / HOUR))
    return pd.DataFrame(rows)


def metrics(tables: dict[str, pd.DataFrame], cfg) -> list[tuple[str, str]]:
    """The page's headline numbers: consolidation on / off, spaced - massed, early items after the stream."""
    ret = tables["retention"]
    long_ = ret["delay_s"].max()
    last = ret[ret.delay_s == long_]

    def m(cond, learner):
        return last[(last.condition == cond) & (last.learner == learner)]["recall"].mean()

    sp = tables["spacing"]
    spl = sp[(sp.test == "long delay") & (sp.learner == SYN_NAME)].groupby("schedule")["recall"].mean()
    it = tables["interference"]
    itl = it[it.n_learned == it.n_learned.max()].groupby("learner")["recall"].mean()
    return [
        (
            f"synapse recall at {label(long_)}, consolidation on / off",
            f"{m('consolidation on', SYN_NAME):.2f} / {m('consolidation off', SYN_NAME):.2f}",
        ),
        (f"spaced − massed at {label(long_)}", f"{spl.get('spaced', np.nan) - spl.get('massed', np.nan):+.2f}"),
        (
            f"early items after {int(it.n_learned.max())} items: synapse / backprop",
            f"{itl.get(SYN_NAME, np.nan):.2f} / {itl.get(BP_NAME, np.nan):.2f}",
        ),
    ]
