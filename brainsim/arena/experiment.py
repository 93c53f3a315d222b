"""Learning-rules arena: brain-like learners and backprop race on one task, one split, one seed and
one sample budget; we record accuracy and loss against samples seen and wall time, decision regions,
confusion matrices, learned features and a summary with the samples each rule needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from brainsim import datasets, textio, torchkit
from brainsim.arena import charts, cost
from brainsim.arena.learners import LEARNERS, LOSSES
from brainsim.arena.race import budget_problem, run, validate_inputs
from brainsim.arena.tables import metrics
from brainsim.config import BaseConfig, param
from brainsim.equations import optimizer_equations
from brainsim.live import LiveCurve
from brainsim.registry import Chart, Equation, Experiment, More

TASKS = ("xor", "circles", "moons", "spiral", "blobs", "digits", "local file", "csv text")
DEFAULT_LEARNERS = ("backprop mlp", "feedback alignment", "reward-modulated", "hebbian features", "delta rule")
DIGITS_TRAIN = 1348  # training rows of digits at the default split, for the budget estimate
# In the app these fields show under 'task' only for the tasks they apply to (config.param's shown_when).
ONLY_2D, ONLY_FILE = {"task": tuple(t for t in TASKS if t in datasets.TASKS_2D)}, {"task": ("local file",)}


@dataclass(frozen=True)
class ArenaConfig(BaseConfig):
    RENAMED = {"n_seeds": "seeds"}  # saved configs and links from before the rename still load

    task: str = param(
        "circles",
        choices=TASKS,
        help="The task every learner races on: a 2-D toy, the 8×8 digits, "
        "a local .npz/IDX/.csv file, or CSV text pasted below.",
    )
    noise: float = param(
        0.1, lo=0.0, hi=1.0, step=0.05, help="Noise of the 2-D tasks (std of the jitter).", shown_when=ONLY_2D
    )
    n_samples: int = param(400, lo=20, hi=4000, label="size", help="Points drawn for a 2-D task.", shown_when=ONLY_2D)
    train_fraction: float = param(
        0.75, lo=0.2, hi=0.9, step=0.05, help="Fraction of the data used for training; the rest is the test set."
    )
    learners: tuple[str, ...] = param(
        DEFAULT_LEARNERS,
        choices=tuple(LEARNERS),
        max_items=len(LEARNERS),
        help="Which learners race (cnn needs an image task).",
    )
    hidden_width: int = param(100, lo=2, hi=256, help="Hidden units H of every learner with a hidden layer.")
    hidden_layers: int = param(1, lo=1, hi=3, help="Hidden layers of the backprop MLP (the local learners have one).")
    activation: str = param(
        "tanh",
        choices=torchkit.ACTIVATIONS,
        help="Hidden activation f of the backprop networks, feedback alignment and the reward-modulated learner.",
    )
    loss: str = param(
        "cross-entropy",
        choices=LOSSES,
        help="Loss ℓ: cross-entropy of softmax outputs or ½ squared error of linear outputs against one-hot targets.",
    )
    optimizer: str = param(
        "adam",
        choices=torchkit.OPTIMIZERS,
        aliases=torchkit.OPTIMIZER_ALIASES,
        help="torch.optim optimizer of the backprop networks; "
        "gd = full-batch gradient descent (every learner then takes whole-set batches).",
    )
    lr: float = param(0.01, lo=1e-5, hi=10.0, widget="number", help="Learning rate of the backprop networks.")
    batch_size: int = param(32, lo=1, hi=4096, help="Samples per weight update (shared by every learner).")
    weight_decay: float = param(0.0, lo=0.0, hi=0.1, widget="number", help="L2 weight decay of the backprop networks.")
    epochs: int = param(20, lo=1, hi=200, help="Passes over the training set: every learner sees the same samples.")
    extra_epochs: int = param(
        0,
        lo=0,
        hi=200,
        label="train more (epochs)",
        help="Continue every learner from where the run stopped for this many more epochs; "
        "curves mark them phase 'train more'.",
    )
    seeds: int = param(
        1,
        lo=1,
        hi=5,
        help="Model seeds (initial weights, batch order, sampling): mean and 95% bands over them.",
    )
    local_lr: float = param(
        0.3,
        lo=1e-4,
        hi=5.0,
        widget="number",
        advanced=True,
        help="Rate η of the delta rule, feedback alignment and the Hebbian readout (plain SGD).",
    )
    reward_lr: float = param(
        0.2,
        lo=1e-4,
        hi=10.0,
        widget="number",
        advanced=True,
        help="Output-layer rate η of the reward-modulated rules (tuned on circles; digits' ten answers do "
        "better near 1.0).",
    )
    reward_hidden_lr: float = param(
        0.6,
        lo=0.0,
        hi=5.0,
        widget="number",
        advanced=True,
        help="Hidden-layer (node perturbation) rate η_h of the reward-modulated learner, divided by the number of "
        "inputs d. Tuned on circles; with 64 inputs and 10 answers (digits) the perturbation is too noisy "
        "to help within the budget: try 0.2 there, with reward_lr 1.0.",
    )
    reward_noise: float = param(
        0.3, lo=0.01, hi=2.0, advanced=True, help="σ of the hidden-unit perturbation ξ of the reward-modulated learner."
    )
    hebb_lr: float = param(
        0.005,
        lo=1e-5,
        hi=1.0,
        widget="number",
        advanced=True,
        help="Rate of the competitive Hebbian (Krotov-Hopfield) feature rule.",
    )
    # File fields: a local path on the command line; in the app an upload or a file of the server's
    # data folder (widget "file": never a typed path; brainsim.textio's app reader refuses any other).
    file_path: str = param(
        "",
        shown_when=ONLY_FILE,
        widget="file",
        help="File for task 'local file': .npz with x and y, an IDX images file (optionally .gz; labels in "
        f"'labels path'), or a .csv with a label column; at most {textio.MAX_FILE_MB} MB (also once unpacked), "
        f"{datasets.MAX_CLASSES} classes, {datasets.MAX_SIDE}×{datasets.MAX_SIDE} pixels per image.",
    )
    labels_path: str = param(
        "",
        shown_when=ONLY_FILE,
        widget="file",
        help="IDX labels file (optionally .gz) that goes with an IDX images file.",
    )
    max_samples: int = param(
        5000,
        lo=100,
        hi=20000,
        shown_when=ONLY_FILE,
        help="Rows kept from an image file (seeded subsample; fewer when rows × pixels would pass "
        f"{datasets.MAX_VALUES:,}).",
    )
    csv_text: str = param(
        "",
        widget="text",
        label="CSV text",
        shown_when={"task": ("csv text",)},
        help="For task 'csv text': a header row, then rows of numeric features and a label.",
    )
    label_column: str = param(
        "label", shown_when={"task": ("local file", "csv text")}, help="Name of the label column of a CSV."
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' is empty; pick at least one learner."
        if "cnn" in self.learners and self.task in (*datasets.TASKS_2D, "csv text"):
            return "Learner 'cnn' needs an image task (digits or a local image file); remove it or change 'task'."
        if self.task == "local file" and not self.file_path.strip():
            return (
                "Task 'local file' needs a path in 'file_path' (.npz, IDX or .csv): upload a file in the app, "
                "or give a local path on the command line."
            )
        if self.task == "csv text" and not self.csv_text.strip():
            return (
                "Task 'csv text' needs data in 'csv_text' (in the app, the box 'CSV text' under the task): a header "
                "row, then one row per sample."
            )
        if self.task in datasets.TASKS_2D:  # the stratified split keeps a sample of every class on each side
            classes, n_train = (3 if self.task == "blobs" else 2), math.floor(self.n_samples * self.train_fraction)
            if min(n_train, self.n_samples - n_train) < classes:
                return (
                    f"Fields 'n_samples' ({self.n_samples}) and 'train_fraction' ({self.train_fraction:g}) leave "
                    f"{self.n_samples - n_train} test samples, fewer than task '{self.task}' has classes ({classes}): "
                    "raise n_samples or lower train_fraction."
                )
        n = {"digits": DIGITS_TRAIN, "local file": self.max_samples, "csv text": 50}.get(
            self.task, self.n_samples * self.train_fraction
        )
        return budget_problem(self, int(n))


NOTES = """
Learners race on one task with the same split, initial weights, batches and sample budget: backprop,
feedback alignment, a reward-modulated learner that never sees a label, Hebbian features, the delta rule.

**What to look for**
- *Accuracy vs samples seen*: who rises first and where each levels off; the reward-modulated learner
  needs several times backprop's samples (the "reward ÷ backprop" number above the charts).
- Feedback alignment sends errors back through fixed random weights, not the transposed forward ones,
  and still learns; Hebbian features are learned without labels, only their readout uses them.
- *Decision regions*: the one-layer delta rule can only draw straight boundaries; circles need a curve.
- *Learned features*: what hidden units become with labels (backprop), random feedback, or no labels
  at all (Hebbian).
- Change the task, or bring your own data: choose *csv text* or *local file* and its box appears
  under the task.
---
**Fair race.** Every learner starts from the same split, the same initial weights where shapes allow
(W₁ and W₂ of one hidden layer of H units), sees the same batches in the same order, and is scored on
the same test set after each epoch. Backprop networks use the chosen torch.optim optimizer; the
brain-like rules use plain local updates with their own rates (Advanced), so set the optimizer to sgd
for a like-for-like comparison. The **reward-modulated** learner never sees a label: it samples an
answer and gets reward 1 or 0; its hidden layer learns by node perturbation. **Hebbian features** are
learned without labels (competitive Krotov-Hopfield rule); only the readout uses labels (or reward,
for *hebbian + reward*).

*Train more* continues every learner from where the run stopped: the run is deterministic, so it trains
`epochs + extra_epochs` epochs from the same state and marks the extra ones phase "train more".
Samples to target = samples seen when the seed-mean test accuracy first reaches 90 % of the best
learner's final accuracy (resolution: one epoch). Wall-clock seconds are in the *timing* table only.

**What reward alone costs** (circles, defaults, measured): the reward-modulated learner reaches 0.87 test
accuracy in the page's 200 updates (mean of 20 seeds, 0.74 to 0.96; backprop 0.99) and 0.97 after 2,000
(*train more* 80 epochs). To reach 90 % it needs about 3.5× backprop's samples, to reach 95 % about 7×
(5 seeds): one scalar reward per answer carries far less information than a full error vector. Its rates
are tuned on circles; on digits set reward_lr 1.0 and reward_hidden_lr 0.2 (Advanced).
"""

EQUATIONS = (
    Equation(
        r"\Delta W = \tfrac{\eta}{n}\sum_{i=1}^{n} (t_i - y_i)\,x_i^\top,\qquad y_i = \mathrm{softmax}(W x_i + b)"
        r"\ \text{or}\ y_i = W x_i + b",
        "Delta rule, one layer, a batch of n samples, t the one-hot target. With softmax outputs it is gradient "
        "descent on the cross-entropy (softmax regression); only with linear outputs and ½ squared error (loss = "
        "mse) is it Widrow & Hoff's (1960) LMS rule.",
    ),
    Equation(
        r"\delta_{2,i} = t_i - y_i,\quad \delta_{1,i} = (B\,\delta_{2,i})\odot f'(a_{1,i}),\quad "
        r"\Delta W_2 = \tfrac{\eta}{n}\sum_{i=1}^{n} \delta_{2,i}\, h_i^\top,\quad "
        r"\Delta W_1 = \tfrac{\eta}{n}\sum_{i=1}^{n} \delta_{1,i}\, x_i^\top",
        "Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016): the output error δ₂ returns to the hidden "
        "layer through a fixed random matrix B (H×C) instead of W₂ᵀ; h_i = f(a_{1,i}) are the "
        "hidden rates, i indexes the n samples of a batch, and both layers learn by the delta rule.",
    ),
    Equation(
        r"\Delta W_2 = \tfrac{\eta}{n}\sum_{i}\Big[(R_i-\bar R)\,(e_{k_i} - \pi_i) + \beta\,"
        r"\tfrac{\partial \mathcal{H}(\pi_i)}{\partial z_i}\Big] h_i^\top,\quad "
        r"\tfrac{\partial \mathcal{H}}{\partial z_j} = -\pi_j(\ln \pi_j + \mathcal{H}),\quad "
        r"\Delta W_1 = \tfrac{\eta_h}{d\,n}\sum_{i} (R_i-\bar R)\,\tfrac{\xi_i}{\sigma^2}\,x_i^\top,\quad "
        r"\bar R \leftarrow \bar R + \alpha(\langle R\rangle - \bar R)",
        "Reward-modulated three-factor rule (Frémaux & Gerstner 2016): REINFORCE (Williams 1992) for the sampled "
        "answer k ~ π = softmax(z), with an entropy bonus β = 0.1 on ℋ = −Σ π_j ln π_j (Williams & Peng 1991) that "
        "keeps it exploring, and node perturbation ξ ~ N(0, σ²) of the hidden units (Williams 1992; Fiete & Seung "
        "2006) with its rate divided by the d inputs; R ∈ {0, 1}, R̄ a running mean reward (α = 0.05). The "
        "'hebbian + reward' readout uses the ΔW₂ line.",
    ),
    Equation(
        r"\Delta w_\mu = \eta\, g_\mu\,(x - \langle w_\mu, x\rangle w_\mu),\quad g = 1 \text{ (winner)},"
        r"\ -\Delta \text{ (k-th)},\ 0 \text{ (others)}",
        "Competitive Hebbian features with Oja decay (Krotov & Hopfield 2019; Oja 1982).",
    ),
    Equation(
        r"W \leftarrow \mathrm{opt}\big(W, \partial \ell / \partial W\big)",
        "Backpropagation (Rumelhart, Hinton & Williams 1986) with the chosen torch.optim optimizer, below.",
    ),
    *optimizer_equations(torchkit.OPTIMIZERS),
)

EXPERIMENT = Experiment(
    name="arena",
    title="Learning-rules arena",
    icon=":material/sports_score:",
    url_path="learning_rules_arena",
    question="On the same task and budget, how do Hebbian, reward-modulated, feedback-alignment and backprop "
    "learners compare in accuracy, speed and samples needed?",
    config=ArenaConfig,
    run=run,
    charts=(
        Chart(
            "Accuracy vs samples seen",
            "curves",
            charts.accuracy_curves,
            "Train and test accuracy against the number of training samples each learner has seen.",
            expanded=True,
        ),
        Chart("Loss vs samples seen", "curves", charts.loss_curves, "The chosen loss on train and test sets."),
        Chart(
            "Accuracy vs wall time",
            "timing",
            charts.wall_time_curves,
            "Test accuracy against training seconds (machine-dependent; evaluation time excluded).",
        ),
        Chart(
            "Decision regions",
            "boundary",
            charts.boundaries,
            "Each learner's predicted class over the plane.",
            expanded=True,
        ),
        Chart(
            "Timeline: decision regions while training",
            "snapshots",
            charts.regions_timeline,
            "Drag the slider or press Play: each learner's predicted class over the plane at up to 50 epochs "
            "(first seed; 2-D tasks). Backprop carves the regions early; the reward-modulated and Hebbian "
            "learners change them more slowly or not at all.",
        ),
        Chart(
            "Timeline: the networks",
            "snapshot_weights",
            charts.network_timeline,
            "Drag the slider or press Play: each learner's units and connections (first seed; 2-D tasks), the "
            "inputs x₁, x₂ on the left, the outputs y₀, y₁, … (one per class) on the right, and the 8 hidden units "
            "the outputs weigh most at the end of the run. Red = positive, blue = negative, width ∝ |w| (scaled to "
            "each learner's largest); hover an edge's midpoint for its weight, a unit for its bias. The delta rule "
            "has no hidden layer; the Hebbian layer has no bias.",
        ),
        Chart("Confusion matrices", "confusion", charts.confusion, "Where each learner's test answers go."),
        Chart(
            "Learned features",
            "features",
            charts.feature_tiles,
            "First-layer weights of up to 16 hidden units per learner (first seed). On 2-D tasks each arrow is "
            "one unit's weight vector (w₁, w₂): the input direction it responds to most (its line w·x + b = 0 "
            "runs across the arrow). On images: image tiles; 3×3 filters for the CNN; one row of weights per "
            "unit for other flat inputs.",
        ),
    ),
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    validate_inputs=validate_inputs,
    cost=cost.seconds,
    live=LiveCurve("samples_seen", "test_accuracy", "Test accuracy, live (mean over seeds)", (0.0, 1.02)),
    more=More(field="extra_epochs", step=10, label="epochs"),
)
