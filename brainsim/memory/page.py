"""What the memory page shows besides its config: the equations it simulates (with their references) and its
charts, each built from one table."""

from __future__ import annotations

from brainsim.equations import optimizer_equations
from brainsim.memory import charts as mc
from brainsim.memory.conditions import N_FIRST
from brainsim.memory.nets import OPTIMIZERS
from brainsim.registry import Chart, Equation

_RULE_SCALE = r"\frac{\eta}{N f (1-f)}"

RULES = (
    Equation(
        r"\Delta W_{ij} = " + _RULE_SCALE + r"\,x_i\,(x_j - f)",
        "Gated covariance rule (default): Hebb with heterosynaptic LTD, only synapses onto active cells "
        "change (Levy & Steward 1979; Rolls & Treves 1998); the proposed change ΔW is soft-bounded (below)",
    ),
    Equation(
        r"\Delta W_{ij} = " + _RULE_SCALE + r"\,(x_i - f)(x_j - f)",
        "Full Hebbian covariance rule (Sejnowski 1977; Tsodyks & Feigel'man 1988): also changes synapses "
        "onto silent cells, by a presynaptic term that shifts all fields about equally",
    ),
    Equation(
        r"\Delta W_{ij} = \eta\, y_i\,(\tilde x_j - y_i F_{ij}),\quad \tilde x_j = \frac{x_j - f}{N f (1-f)}",
        "Oja-normalised Hebb (Oja 1982), with clamped binary postsynaptic rates y = x",
    ),
    Equation(
        r"e_{ij} \leftarrow e_{ij}\,e^{-\Delta t/\tau_e} + \frac{x_i (x_j - f)}{N f (1-f)},\qquad "
        r"\Delta W_{ij} = \eta\,(R - b)\,e_{ij},\quad b \leftarrow b + \beta (R - b)",
        "Three-factor rule with eligibility trace and reward baseline (Frémaux & Gerstner 2016; Izhikevich 2007)",
    ),
    Equation(
        r"\Delta F_{ij} = \Delta W_{ij}\Big[1 - \frac{\mathrm{sgn}(\Delta W_{ij})\,F_{ij}}{w_{\max}}\Big]_+"
        r" = \begin{cases} \Delta W_{ij}\,(w_{\max} - F_{ij})/w_{\max} & \Delta W_{ij} > 0 \\ "
        r"\Delta W_{ij}\,(F_{ij} - w_{\min})/w_{\max} & \Delta W_{ij} < 0,\ w_{\min} = -w_{\max} \end{cases}",
        "Soft bounds on every rule's change of the fast weight F, symmetric about 0: potentiation ∝ w_max − F, "
        "depression ∝ F − w_min, weight-dependent in both directions (multiplicative soft bounds as in Rubin, "
        "Lee & Sompolinsky 2001; Fusi & Abbott 2007; van Rossum, Shippi & Barrett 2012; unlike van Rossum, "
        "Bi & Turrigiano 2000, whose potentiation is additive). Saturation is why massed repetitions add little",
    ),
)

SYNAPSES = (
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
)

BACKPROP = (
    Equation(
        r"\mathcal{L} = \frac{R^{\,\rho}}{2k}\,\lVert W x - (x - f)\rVert^2,\quad W \leftarrow "
        r"\mathrm{optim}(W, \nabla_W \mathcal{L})",
        "Backprop net, one-layer: same connections, trained by the selected torch.optim optimizer (below) on "
        "the same presentations; ρ = 1 with reward-weighted loss",
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
    Equation(
        r"\text{repeat epochs } e = 1, 2, \dots:\ \theta \leftarrow \mathrm{optim}\big(\theta, "
        r"\nabla_\theta \mathcal{L}(\xi^{\mu})\big),\ \mu = 1 \dots " + str(N_FIRST) + r"\quad \text{until }"
        r" \tfrac{1}{" + str(N_FIRST) + r"}\textstyle\sum_\mu \mathcal{L}(\xi^{\mu}) \le \mathcal{L}_{crit}"
        r" \text{ or } e = E_{\max}",
        "Interference: before the stream of new items the backprop net is trained to a loss criterion on the "
        "first items (interleaved epochs, each seed to its own epoch, then a fresh optimizer), so that it is "
        "shown forgetting items it knew. Recall above 0.95 is not enough: one or two epochs give it, and the "
        "next item's massed steps still wipe the old items out; near convergence they fade over many items",
    ),
    *optimizer_equations(OPTIMIZERS),
)

FORGETTING = (
    Equation(
        r"a\,e^{-t/\tau},\quad a\,e^{-t/\tau_1} + b\,e^{-t/\tau_2},\quad a\,t^{-b},\quad "
        r"\lambda\,(1 + \beta t)^{-\psi}\,e^{-t/\tau},\quad \frac{k}{(\log_{10} t_{\min})^{c} + k}",
        "Forgetting laws fitted by least squares: exponential; two-exponential (two stores, as the synapse "
        "model); power law (Wixted & Ebbesen 1991); Wickelgren's (1974) power-exponential (power-law decay "
        "times exponential interference; τ → ∞ gives the Wickelgren power law of Wixted & Carpenter 2007); "
        "Ebbinghaus' (1885) log law, t in minutes (he found k = 1.84, c = 1.25)",
    ),
    Equation(
        r"\mathrm{AIC} = n \ln\frac{\mathrm{SSE}}{n} + 2K,\quad \mathrm{AIC_c} = \mathrm{AIC} + "
        r"\frac{2K(K+1)}{n - K - 1},\quad K = \text{parameters} + 1",
        "Model comparison (Akaike 1974; small-sample correction, Hurvich & Tsai 1989): lower is better; with "
        "n = 7 points a 4-parameter law pays 60 in AICc",
    ),
)

EQUATIONS = RULES + SYNAPSES + BACKPROP + FORGETTING

CHARTS = (
    Chart(
        "Memory traces over time",
        "traces",
        mc.traces_chart,
        "Fast and slow trace strength of the first items (mean over seeds and items) with presentations "
        "(ticks) and rewards (stars); 1 = one fresh presentation.",
        expanded=True,
    ),
    Chart(
        "Timeline: fast and slow traces over time",
        "traces",
        mc.traces_timeline,
        "Drag the slider or press Play: the first items' fast (short-term) and slow (long-term) trace strength "
        "in the two-timescale synapse (first seed) at up to 50 of the sampled times. Top: the strengths now; "
        "bottom: the path so far in the fast–slow plane. Each presentation kicks the fast trace up; between "
        "presentations it decays, and once a consolidation trigger (repetition or reward) has fired, tagged "
        "fast weight is captured into the slow one.",
    ),
    Chart(
        "Retention",
        "retention",
        mc.retention_chart,
        "Recall vs delay after the last study presentation, mean and 95% band over seeds.",
        expanded=True,
    ),
    Chart(
        "Forgetting laws: Ebbinghaus (1885) and the synapse model",
        "forgetting",
        mc.forgetting_chart,
        "Five forgetting laws fitted to each curve (SSE and AIC in the next table). Ebbinghaus' panel is a "
        "different measure and protocol from the model's: his savings in relearning (time saved relearning a "
        "list learned once to criterion in one massed session), not the recall of items studied on this "
        "page's schedule; so the curves are compared by shape, each on its own axis.",
    ),
    Chart(
        "Forgetting laws: SSE and AIC",
        "forgetting_fits",
        mc.fits_chart,
        "Least-squares fits (numpy Levenberg-Marquardt from a grid of starts); ΔAICc = 0 marks the best law "
        "of each curve. A parameter at 1e13 or 1e-13 is at its bound: the law degenerates into a simpler one.",
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
        f"Recall of the first {N_FIRST} items as more items are learned, both learners. Before the stream the "
        "backprop net is trained on them to the loss criterion (columns recall_after_study, loss_after_study, "
        "criterion_epochs, loss_at_criterion, recall_at_criterion, criterion_met; criterion_epochs = 0 turns "
        "this off).",
    ),
    Chart(
        "Weights",
        "weights",
        mc.weights_chart,
        "Fast, slow and backprop weights of the first units (seed 0), at the first test delay.",
    ),
)
