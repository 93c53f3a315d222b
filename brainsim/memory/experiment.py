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
from brainsim.memory import charts as mc
from brainsim.memory.conditions import MAX_STREAM, N_FIRST
from brainsim.memory.nets import BACKPROP_MODELS, OPTIMIZER_STATE, OPTIMIZERS
from brainsim.memory.recall import n_active
from brainsim.memory.run import run
from brainsim.memory.schedule import DAY, MIN, parse_custom, parse_duration
from brainsim.memory.sim import RULES, SYNAPSES, TRIGGERS
from brainsim.memory.synapse import chain_stages
from brainsim.memory.tables import metrics
from brainsim.registry import Chart, Equation, Experiment
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
    ebbinghaus_overlay: bool = param(True, help="Overlay Ebbinghaus' (1885) savings on the retention chart.")
    heatmap_units: int = param(40, lo=10, hi=100, advanced=True, help="Units shown in the weight heatmaps.")

    def check(self) -> str | None:
        if n_active(self.n_units, self.coding_level) < 2:
            return "Fields 'n_units' and 'coding_level' give fewer than 2 active units per item; raise either."
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
**What to look for.** Each presentation writes a *fast* synaptic trace that fades within hours
(τ_stm); only consolidation — tagged synapses capturing proteins after a trigger (enough repetition,
or reward) — writes the *slow* trace that lasts weeks (τ_ltm). Recall is all-or-none per item: a
trace is recalled while it stands out of the neural noise σ, so averaged recall falls in steps
where traces cross that floor. The backprop net has no clock: time alone never erases it, but
every new item it is trained on rewrites the weights it shares with older ones. The one-layer net
shares few: with sparse items a new item touches only the inputs of its own active units, so it
forgets gradually. The autoencoder (backprop model = autoencoder) shares all its hidden units: a few
steps on a new item pull its output towards that item whatever the cue, and recall of the old items
collapses (catastrophic interference, McCloskey & Cohen 1989).
Recall 1 = perfect, 0 = chance (a random set of active units).
"""

EQUATIONS = (
    Equation(
        r"\Delta F_{ij} = \frac{\eta}{N f (1-f)}\,x_i\,(x_j - f)\;\Big(1 - \frac{\mathrm{sgn}(\Delta)\,F_{ij}}"
        r"{w_{\max}}\Big)",
        "Gated covariance rule (default): Hebb with heterosynaptic LTD, only synapses onto active cells "
        "change (Levy & Steward 1979; Rolls & Treves 1998), soft-bounded (van Rossum et al. 2000)",
    ),
    Equation(
        r"\Delta F_{ij} = \frac{\eta}{N f (1-f)}\,(x_i - f)(x_j - f)\;\Big(1 - \frac{\mathrm{sgn}(\Delta)\,F_{ij}}"
        r"{w_{\max}}\Big)",
        "Full Hebbian covariance rule (Sejnowski 1977; Tsodyks & Feigel'man 1988): also changes synapses "
        "onto silent cells, by a presynaptic term that shifts all fields about equally",
    ),
    Equation(
        r"\Delta W_{ij} = \eta\, y_i\,(x_j - y_i W_{ij})",
        "Oja-normalised Hebb (Oja 1982), with clamped binary postsynaptic rates y",
    ),
    Equation(
        r"e_{ij} \leftarrow e_{ij}\,e^{-\Delta t/\tau_e} + \frac{x_i (x_j - f)}{N f (1-f)},\qquad "
        r"\Delta F_{ij} = \eta\,(R - b)\,e_{ij},\quad b \leftarrow b + \beta (R - b)",
        "Three-factor rule with eligibility trace and reward baseline (Frémaux & Gerstner 2016; Izhikevich 2007)",
    ),
    Equation(
        r"\dot F = -\frac{F}{\tau_{stm}},\quad \dot g = -\frac{g}{\tau_{tag}},\quad \dot p = -\frac{p}{\tau_p},"
        r"\quad \dot L = -\frac{L}{\tau_{ltm}} + \kappa\, p_i\, g_{ij}\, F_{ij}",
        "Synaptic tagging and capture (Frey & Morris 1997; Clopath et al. 2008): a presentation tags the "
        "synapses it changes (g = |ΔF|/max|ΔF|); a trigger sets the cell's proteins p = 1; W = F + L",
    ),
    Equation(
        r"L(t{+}\Delta) = L\,e^{-\Delta/\tau_{ltm}} + \kappa\,p\,g\,F\;"
        r"\frac{e^{-\lambda\Delta} - e^{-\Delta/\tau_{ltm}}}{1/\tau_{ltm} - \lambda},\quad "
        r"\lambda = \tfrac{1}{\tau_{stm}} + \tfrac{1}{\tau_{tag}} + \tfrac{1}{\tau_p}",
        "Closed-form evolution between events: simulated days cost as much as seconds",
    ),
    Equation(
        r"r \leftarrow r\,e^{-\Delta t/\tau_{tag}} + 1,\qquad \text{trigger if } r \ge \theta "
        r"\text{ or } R > 0",
        "Consolidation trigger: repetition strength over a threshold and/or reward",
    ),
    Equation(
        r"C_k \dot u_k = g_{k-1,k}(u_{k-1} - u_k) + g_{k,k+1}(u_{k+1} - u_k),\quad C_k = 2^{k-1},\ "
        r"g_{k,k+1} \propto 4^{-k}",
        "Benna & Fusi (2016) chain model (second synapse choice); the weight is u_1",
    ),
    Equation(
        r"h = W x + \sigma z,\quad x \leftarrow \mathrm{kWTA}(h),\quad "
        r"m = \frac{x\cdot\xi / k - f}{1 - f}",
        "Recall from a noisy cue, identical for both learners; m = 1 perfect, 0 chance",
    ),
    Equation(
        r"\mathcal{L} = \frac{R^{\,\rho}}{2k}\,\lVert W x - (x - f)\rVert^2,\quad W \leftarrow "
        r"\mathrm{optim}(W, \nabla_W \mathcal{L})",
        "Backprop net, one-layer: same connections, torch.optim (SGD / momentum / Adam) on the same "
        "presentations; ρ = 1 with reward-weighted loss",
    ),
    Equation(
        r"y = \sigma\big(V\,\sigma(U x + a) + c\big),\quad H = \mathrm{round}\tfrac{N(N-2)}{2N+1} \approx "
        r"\tfrac{N}{2},\quad \mathcal{L} = \frac{R^{\,\rho}}{k}\sum_i \big[-x_i \ln y_i - (1 - x_i)\ln(1 - y_i)\big],"
        r"\quad h = y + \sigma_n z",
        "Backprop net, autoencoder: N → H → N sigmoid units, 2NH + H + N ≈ N(N−1) weights; every item "
        "shares the distributed hidden code, the setting of catastrophic interference (McCloskey & Cohen "
        "1989; Ratcliff 1990; French 1999). Cross-entropy gives the output error (y − x)/k, as the "
        "one-layer net's; recall iterates its output y as the field h",
    ),
    Equation(r"S(t) = a\,e^{-t/\tau_f} + b\,e^{-t/\tau_s}", "Two-timescale fit to Ebbinghaus' (1885) savings"),
)

EXPERIMENT = Experiment(
    name="memory",
    title="Memory reinforcement",
    question="How do repetition, spacing and reward turn a fast-fading trace into a lasting memory, "
    "in a synapse model vs a backprop network?",
    config=MemoryConfig,
    run=run,
    charts=(
        Chart(
            "Memory traces over time",
            "traces",
            mc.traces_chart,
            "Fast and slow trace strength of the first items (mean over seeds and items) with presentations "
            "(ticks) and rewards (stars); 1 = one fresh presentation.",
        ),
        Chart(
            "Retention",
            "retention",
            mc.retention_chart,
            "Recall vs delay after the last study presentation, mean and 95% band over seeds.",
        ),
        Chart(
            "Ebbinghaus (1885) and a two-timescale fit",
            "ebbinghaus",
            mc.ebbinghaus_chart,
            "Savings in relearning vs delay, with the best a·e^(−t/τ_f) + b·e^(−t/τ_s).",
        ),
        Chart(
            "Spacing: same number of presentations",
            "spacing",
            mc.spacing_chart,
            "Recall at the shortest and the longest test delay.",
        ),
        Chart(
            "Reward-gated consolidation",
            "reward",
            mc.reward_chart,
            "Trigger = reward only: rewarded vs unrewarded target items.",
        ),
        Chart(
            "Distal reward: reward delay vs τ_e",
            "distal",
            mc.distal_chart,
            "Three-factor rule: recall of rewarded items right after their delayed reward.",
        ),
        Chart(
            "Interference: recall of the first items",
            "interference",
            mc.interference_chart,
            f"Recall of the first {N_FIRST} items as more items are learned, both learners.",
        ),
        Chart(
            "Weights",
            "weights",
            mc.weights_chart,
            "Fast, slow and backprop weights of the first units (seed 0), at the first test delay.",
        ),
    ),
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    icon=":material/neurology:",
    url_path="memory_reinforcement",
)
