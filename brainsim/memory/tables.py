"""The page's tidy tables, built from the conditions' raw read-outs: traces, retention, spacing,
reward, distal reward, interference, weights, the forgetting laws fitted to Ebbinghaus' (1885) savings and
to the synapse model's retention, and the summary and headline numbers."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from brainsim.memory import forgetting as fg
from brainsim.memory.conditions import CRITERION_NAMES, N_FIRST
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


def traces_table(tr: pd.DataFrame, events: list[Event], seeds: list[int]) -> pd.DataFrame:
    """Trace samples of the first items, with their presentations and rewards as `event` rows (the same
    schedule in every seed, listed under each seed so that a seed's rows are complete on their own)."""
    rows = tr.assign(event="test")[
        ["learner", "item", "seed", "t_s", "event", "strength_fast", "strength_slow", "strength", "recall"]
    ]
    ev_rows = [
        dict(
            learner=SYN_NAME,
            item=e.item,
            seed=s,
            t_s=e.t,
            event="presentation" if e.kind == "present" else "reward",
            strength_fast=np.nan,
            strength_slow=np.nan,
            strength=np.nan,
            recall=np.nan,
        )
        for s in seeds
        for e in events
    ]
    out = pd.concat([rows, pd.DataFrame(ev_rows)], ignore_index=True)
    out["t_h"] = out["t_s"] / HOUR
    out = out.sort_values(["learner", "item", "seed", "event", "t_s"], kind="stable").reset_index(drop=True)
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
    """Mean over the first items per (learner, seed, items learned so far), with what the backprop net's
    training to criterion reached in that seed (empty for the synapse model, which is not trained to it)."""
    crit = {c: (c, "first") for c in CRITERION_NAMES.values() if c in df}
    df = df.groupby(["learner", "seed", "n_learned"], sort=True, as_index=False, dropna=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean"), diverged=("diverged", "any"), **crit
    )
    for c in CRITERION_NAMES.values():
        if c not in df:
            df[c] = np.nan
    return df[["learner", "n_learned", "seed", "recall", "strength", "diverged", *CRITERION_NAMES.values()]]


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


EBB_SOURCE = "ebbinghaus 1885 · savings"
MODEL_RECALL = "synapse model · recall"
MODEL_STRENGTH = "synapse model · trace strength / first delay"


def forgetting_sources(retention: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(delay in hours, value) of each curve the forgetting laws are fitted to: Ebbinghaus' savings, and the
    synapse model's mean recall and mean trace strength (relative to the first delay) with consolidation on,
    on the user's schedule, averaged over seeds and items."""
    t = np.array([d for d, _ in EBBINGHAUS]) / HOUR
    out = {EBB_SOURCE: (t, np.array([s for _, s in EBBINGHAUS]) / 100.0)}
    syn = retention[(retention.learner == SYN_NAME) & (retention.condition == "consolidation on")]
    g = syn.groupby("delay_s", sort=True)[["recall", "strength"]].mean()
    if len(g):
        out[MODEL_RECALL] = (g.index.to_numpy() / HOUR, g["recall"].to_numpy())
        first = float(g["strength"].iloc[0])
        if first > 0:
            out[MODEL_STRENGTH] = (g.index.to_numpy() / HOUR, g["strength"].to_numpy() / first)
    return out


@functools.lru_cache(maxsize=8)
def _fits(t: tuple[float, ...], y: tuple[float, ...]) -> tuple[fg.Fit, ...]:
    """The laws fitted to one curve (Ebbinghaus' is the same in every run: fitted once per process)."""
    return tuple(fg.fit_all(np.array(t), np.array(y)))


def forgetting_tables(retention: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The five forgetting laws fitted to each source: (curves, fits). Curves: each source's points
    (model = "data") and every fitted law on a log grid of delays. Fits: one row per (source, law) with its
    parameters, SSE, AIC, AICc and AICc minus the source's lowest (0 = best)."""
    curves, fits = [], []
    for source, (t, y) in forgetting_sources(retention).items():
        curves.append(pd.DataFrame(dict(source=source, model="data", delay_h=t, value=y)))
        grid = np.geomspace(t.min() / 2, t.max() * 1.3, 40)
        found = _fits(tuple(t.tolist()), tuple(y.tolist()))
        best = min((f.aicc for f in found), default=np.nan)
        for f in found:
            curves.append(pd.DataFrame(dict(source=source, model=f.law.name, delay_h=grid, value=f(grid))))
            fits.append(
                dict(
                    source=source,
                    model=f.law.name,
                    parameters=f.describe(),
                    n_points=f.n,
                    n_params=len(f.law.params),
                    sse=f.sse,
                    aic=f.aic,
                    aicc=f.aicc,
                    delta_aicc=f.aicc - best,
                )
            )
    cur = pd.concat(curves, ignore_index=True)
    cur["delay_s"] = cur["delay_h"] * HOUR
    return cur[["source", "model", "delay_s", "delay_h", "value"]], pd.DataFrame(fits)


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
    for source, g in t["forgetting_fits"].groupby("source", sort=False):
        best = g.sort_values("aicc", kind="stable").iloc[0]
        measure = f"SSE of the best law by AICc: {best['model']}"
        rows.append(dict(part="forgetting laws", condition=source, learner="", measure=measure, value=best["sse"]))
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
    at, n = label(long_), int(it.n_learned.max())
    return [  # (label, short value, caption): one number per box, the words around it
        ("consolidation on", _two(m("consolidation on", SYN_NAME)), f"synapse recall at {at}"),
        ("consolidation off", _two(m("consolidation off", SYN_NAME)), f"synapse recall at {at}"),
        ("spaced − massed", _two(spl.get("spaced", np.nan) - spl.get("massed", np.nan), "+"), f"recall at {at}"),
        ("early items, synapse", _two(itl.get(SYN_NAME, np.nan)), f"recall after {n} later items"),
        ("early items, backprop", _two(itl.get(BP_NAME, np.nan)), f"recall after {n} later items"),
    ]


def _two(x: float, sign: str = "") -> str:
    """Two decimals, never '-0.00' (a mean of recalls a hair below chance) nor '+0.00': '0.00'."""
    r = round(float(x), 2) + 0.0
    return f"{r:{sign}.2f}" if r else "0.00"
