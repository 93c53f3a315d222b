"""Memory reinforcement: how repetition, spacing and reward turn a fast-fading trace into a lasting
memory, in a two-timescale synapse model vs a backprop-trained network on the same stream.

Brain-like learner: a recurrent auto-associative net whose synapses have a fast (short-term) and a
slow (long-term) weight with synaptic tagging and capture (or a Benna-Fusi chain). Backprop learner:
a one-layer N -> N net with the same connections, or an N -> H -> N autoencoder with about as many
weights, trained by torch.optim on the same presentations.
Recall is measured identically for both (noisy cue, k-winners-take-all dynamics, overlap).

This module declares the page: its config, notes, equations and charts. The model lives in synapse,
plasticity, recall, nets and sim; the conditions and tables in conditions, tables and run.
"""

from __future__ import annotations

from dataclasses import dataclass

from brainsim.config import BaseConfig, param
from brainsim.live import LiveCurve
from brainsim.memory import cost
from brainsim.memory.conditions import MAX_STREAM, N_FIRST
from brainsim.memory.nets import BACKPROP_MODELS, OPTIMIZER_STATE, OPTIMIZERS
from brainsim.memory.page import CHARTS, EQUATIONS
from brainsim.memory.recall import n_active
from brainsim.memory.run import run
from brainsim.memory.schedule import DAY, MIN, parse_custom, parse_duration
from brainsim.memory.sim import RULES, SYNAPSES, TRIGGERS
from brainsim.memory.synapse import chain_stages
from brainsim.memory.tables import metrics
from brainsim.registry import Experiment
from brainsim.textio import quote

MAX_STATE_MB = 600  # bound on the largest simulation's tensors
DEFAULT_CUSTOM = "time, item, reward\n0, 0, 1\n1 min, 1, 0\n1 h, 0, 1\n1 h, 1, 0\n1 d, 0, 1\n1 d, 1, 0"


@dataclass(frozen=True)
class MemoryConfig(BaseConfig):
    seeds: int = param(5, lo=1, hi=20, help="Independent seeds (seed, seed+1, ...): items, cues and noise.")
    # network
    n_units: int = param(
        200,
        lo=50,
        hi=2000,
        step=10,
        label="N units",
        help="Units of the recurrent net; both learners have N(N-1) connections.",
    )
    n_items: int = param(10, lo=2, hi=50, help="Target items studied in the retention, spacing and reward conditions.")
    coding_level: float = param(0.1, lo=0.02, hi=0.5, step=0.01, help="Fraction f of active units per item.")
    cue_noise: float = param(
        0.2,
        lo=0.0,
        hi=0.6,
        step=0.05,
        help="Fraction of an item's active units swapped for wrong ones in the recall cue.",
    )
    neural_noise: float = param(
        0.1,
        lo=0.0,
        hi=1.0,
        step=0.01,
        help="Noise σ added to every field during recall, in units of one fresh "
        "presentation's trace: a trace must stand out of it to be recalled.",
    )
    recall_steps: int = param(3, lo=1, hi=10, help="Steps of recurrent dynamics from the cue.")
    # brain-like learner
    rule: str = param(
        "gated covariance",
        choices=RULES,
        help="Rule writing the fast weight. Gated covariance (Hebb with heterosynaptic LTD) changes only the "
        "synapses onto active cells; full covariance also those onto silent cells, a change that shifts "
        "every unit's field about equally (recall hardly sees it) and costs N/k times the work.",
    )
    synapse_model: str = param(
        SYNAPSES[0], choices=SYNAPSES, help="Tagging and capture (Frey & Morris 1997) or a Benna & Fusi (2016) chain."
    )
    eta: float = param(
        1.0, lo=0.01, hi=5.0, step=0.05, label="η", help="Learning rate: one presentation raises an item's trace by η."
    )
    fast_cap: float = param(
        1.5,
        lo=1.05,
        hi=20.0,
        step=0.05,
        advanced=True,
        help="Soft bound of the fast weight, in fresh presentations: massed repetitions saturate there.",
    )
    tau_stm: float = param(
        60.0, lo=1.0, hi=1440.0, unit="min", label="τ_stm", help="Decay time constant of the fast (short-term) weight."
    )
    tau_ltm: float = param(
        60.0, lo=1.0, hi=3650.0, unit="d", label="τ_ltm", help="Decay time constant of the slow (long-term) weight."
    )
    tau_tag: float = param(
        120.0,
        lo=1.0,
        hi=1440.0,
        unit="min",
        label="τ_tag",
        help="Lifetime of synaptic tags (about 1-3 h in hippocampal slices).",
    )
    tau_prp: float = param(
        60.0,
        lo=1.0,
        hi=1440.0,
        unit="min",
        label="τ_p",
        advanced=True,
        help="Lifetime of plasticity-related proteins after a trigger.",
    )
    capture_rate: float = param(
        1.0,
        lo=0.0,
        hi=20.0,
        unit="1/h",
        label="capture rate κ",
        help="Rate at which tagged fast weight is captured into slow weight while proteins are available.",
    )
    trigger: str = param(
        TRIGGERS[0], choices=TRIGGERS, help="What starts consolidation (protein synthesis) in the cells of an item."
    )
    rep_threshold: float = param(
        1.5,
        lo=1.0,
        hi=10.0,
        step=0.1,
        help="Repetition strength r (presentations, each fading with τ_tag) that triggers consolidation.",
    )
    # reward
    reward_fraction: float = param(
        0.5, lo=0.0, hi=1.0, step=0.05, help="Fraction of target items followed by reward R = 1 (others R = 0)."
    )
    reward_delay: float = param(
        1.0, lo=0.0, hi=86400.0, unit="s", widget="number", help="Delay from a presentation to its reward."
    )
    tau_e: float = param(
        10.0,
        lo=0.1,
        hi=86400.0,
        unit="s",
        label="τ_e",
        widget="number",
        help="Eligibility-trace time constant of the three-factor rule.",
    )
    baseline_rate: float = param(
        0.2, lo=0.0, hi=1.0, step=0.05, advanced=True, help="Rate of the running mean b of reward (expected reward)."
    )
    # schedule
    schedule: str = param(
        "spaced",
        choices=("massed", "spaced", "expanding", "custom"),
        help="Study schedule of the retention and reward conditions.",
    )
    n_reps: int = param(4, lo=1, hi=20, help="Presentations of each target item (massed, spaced, expanding).")
    massed_gap: float = param(60.0, lo=1.0, hi=3600.0, unit="s", help="Gap between massed repetitions.")
    interval: float = param(
        60.0,
        lo=1.0,
        hi=10080.0,
        unit="min",
        help="Gap between spaced repetitions (expanding: gaps interval/2, interval, 2x ...).",
    )
    custom_schedule: str = param(
        DEFAULT_CUSTOM,
        widget="text",
        help="Rows 'time, item, reward' for schedule = custom; time like 90, 20 min, "
        "1.5 h, 2 d; item 0..n_items-1; reward 0 to 10.",
    )
    interference_rate: float = param(
        6.0,
        lo=0.0,
        hi=120.0,
        unit="items/h",
        help="Other items, each shown once, learned between repetitions; also the item rate of the interference curve.",
    )
    test_delays: tuple[str, ...] = param(
        ("20 min", "1 h", "9 h", "1 d", "2 d", "6 d", "31 d"),
        max_items=12,
        help="Recall tests after the last study presentation (e.g. 20 min, 9 h, 31 d).",
    )
    # backprop learner
    backprop_model: str = param(
        "autoencoder",
        choices=BACKPROP_MODELS,
        help="One-layer N -> N associative net, or an N -> H -> N sigmoid autoencoder with H ≈ N/2 "
        "(about the same number of weights) whose hidden units every item shares.",
    )
    optimizer: str = param("sgd", choices=OPTIMIZERS, help="torch.optim optimizer of the backprop net.")
    lr: float = param(
        0.5,
        lo=1e-5,
        hi=10.0,
        widget="number",
        label="backprop learning rate",
        help="Learning rate (SGD lr = 1 erases the shown item's error in one step).",
    )
    steps: int = param(5, lo=1, hi=50, help="Optimizer steps per presentation.")
    reward_weighted_loss: bool = param(False, help="Weight the backprop loss of each presentation by its reward.")
    # sweeps
    distal_delays: tuple[float, ...] = param(
        (0.5, 2.0, 8.0, 32.0), lo=0.0, hi=3600.0, max_items=8, help="Reward delays (s) of the distal-reward sweep."
    )
    distal_tau_e: tuple[float, ...] = param(
        (1.0, 10.0, 100.0),
        lo=0.1,
        hi=3600.0,
        max_items=6,
        help="Eligibility time constants τ_e (s) of the distal-reward sweep.",
    )
    stream_items: int = param(
        25, lo=N_FIRST + 1, hi=MAX_STREAM, help="Items learned one after another in the interference curve."
    )
    criterion_loss: float = param(
        0.05,
        lo=0.001,
        hi=10.0,
        widget="number",
        label="backprop loss criterion",
        help="Before the interference stream the backprop net is trained on the first items until its mean "
        "training loss on them (per item, as in the equations) is at most this, or criterion_epochs run out.",
    )
    criterion_epochs: int = param(
        100,
        lo=0,
        hi=500,
        help="At most this many epochs of training to criterion (0: none, the backprop net sees only the "
        "study schedule, as before).",
    )
    ebbinghaus_overlay: bool = param(
        True,
        label="Ebbinghaus panel",
        help="Show Ebbinghaus' (1885) savings, with the forgetting laws fitted to them, beside the synapse "
        "model's in the forgetting-laws chart (their own panel: savings, not recall).",
    )
    heatmap_units: int = param(40, lo=10, hi=100, advanced=True, help="Units shown in the weight heatmaps.")

    def check(self) -> str | None:
        if n_active(self.n_units, self.coding_level) < 2:
            return "Fields 'n_units' and 'coding_level' give fewer than 2 active units per item; raise either."
        for name in ("distal_delays", "distal_tau_e"):  # the distal-reward sweep needs a grid of both
            if not getattr(self, name):
                return f"Field '{name}' must list at least one value (seconds), e.g. 0.5, 2, 8."
        try:
            delays = [parse_duration(d) for d in self.test_delays]
        except ValueError as exc:
            return (
                f"Field 'test_delays' has {quote(exc)}, which is not a duration like 20 min, 9 h or 31 d "
                "(at most 366 d)."
            )
        if not delays or min(delays) <= 0:
            return "Field 'test_delays' needs at least one delay above 0."
        if self.custom_schedule.strip() or self.schedule == "custom":
            try:
                parse_custom(self.custom_schedule, self.n_items)
            except ValueError as exc:
                return str(exc)
        mb = state_mb(self)
        if mb > MAX_STATE_MB:
            per = mb / self.seeds
            return (
                f"Fields 'n_units' and 'seeds' need about {mb:.0f} MB of synapse state; at most {MAX_STATE_MB} "
                f"MB are allowed, so use at most {max(1, int(MAX_STATE_MB // per))} seeds or fewer units."
            )
        return None


def state_mb(cfg: MemoryConfig) -> float:
    """Memory of the largest simulation: (S, N, N) float32 tensors of both learners plus temporaries."""
    stages = chain_stages(cfg.tau_stm * MIN, cfg.tau_ltm * DAY)
    per = {"tagging and capture": 3, "benna-fusi chain": 2 + stages}[cfg.synapse_model]
    per += 1 if cfg.rule == "three-factor" else 0
    per += 3 + OPTIMIZER_STATE[cfg.optimizer] + 3  # backprop w, grad + temporaries
    return per * cfg.seeds * cfg.n_units**2 * 4 / 2**20


NOTES = """
Each presentation writes a fast synaptic trace that fades within hours; consolidation (after enough
repetition or a reward) writes a slow one that lasts weeks. A backprop net has no clock: only new
learning erases it.

**What to look for**
- *Retention*: with consolidation (synaptic tagging and capture) on, the synapse model still recalls
  after a month; off, it has forgotten within a day.
- *Spacing*: the same presentations spread out beat massed ones at long delays (Cepeda et al. 2008).
- *Reward*: a reward after study consolidates the item, and a late reward still works when the
  eligibility trace τₑ spans its delay (Izhikevich 2007).
- *Interference*: every new item rewrites weights the backprop autoencoder shares, so it loses the
  first items; the synapse model keeps them.
- Recall 1 = perfect, 0 = chance (a random set of active units).
---
**Recall and interference.** Recall is all-or-none per item: a trace is recalled while it stands out
of the neural noise σ, so averaged recall falls in steps where traces cross that floor. The backprop
net forgets only through interference. The one-layer net shares few weights between items: with
sparse items a new item touches only the inputs of its own active units, so it forgets gradually. The
autoencoder (backprop model = autoencoder) shares all its hidden units (catastrophic interference,
McCloskey & Cohen 1989). After the study schedule alone it recalls the first items at only 0.5–0.8,
and one new item (4 massed presentations × 5 steps) wipes them out; so before the stream it is trained
to convergence on them (mean loss ≤ 0.05, about 30 epochs, recall 1.0). It then forgets them over
several items, not at once: at the defaults, 1.00 → 0.86 after one new item, 0.56 after five, about
0.4 after twenty, while the synapse model keeps them above 0.95 on the same stream. Recall ≥ 0.95
alone is no protection: trained only to loss 0.5 it recalls them perfectly and still collapses after
one item.

**Forgetting laws.** Ebbinghaus' (1885) savings are fitted better by a power law (SSE 0.0029) or his
own log law (0.0022, with k = 1.80, c = 1.21 against his 1.84, 1.25) than by one exponential (0.058);
two exponentials reach 0.0047 with four parameters, which AICc does not repay at seven points. The
tagging-and-capture synapse is a two-store model: its trace strength *is* a sum of two exponentials,
and that fit recovers τ_stm and τ_ltm (about 1.2 h and 60 d); its recall, a thresholded read-out of
the trace, stays near 1 for days, then falls. It resembles the two-exponential account, not
Ebbinghaus' curve; the Benna–Fusi chain (synapse model) is the one whose trace fades like a power law
(power and log laws beat the exponential on it, as on Ebbinghaus' data). Savings and recall are
different measures, so the curves are compared by shape, each on its own axis.
"""

EXPERIMENT = Experiment(
    name="memory",
    title="Memory reinforcement",
    question="How do repetition, spacing and reward turn a fast-fading trace into a lasting memory, "
    "in a synapse model vs a backprop network?",
    config=MemoryConfig,
    run=run,
    charts=CHARTS,
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    icon=":material/neurology:",
    url_path="memory_reinforcement",
    cost=cost.seconds,
    live=LiveCurve(
        "t_h", "recall", "Recall of the traced items over time, live (mean over items and seeds)", log_x=True
    ),
)
