"""Learning-rules arena: brain-like learners and backprop race on one task, one split, one seed and
one sample budget; we record accuracy and loss against samples seen and wall time, decision regions,
confusion matrices, learned features and a summary with the samples each rule needs."""

from __future__ import annotations

from dataclasses import dataclass

from brainsim import datasets, torchkit
from brainsim.arena import charts
from brainsim.arena.learners import LEARNERS, LOSSES
from brainsim.arena.race import budget_problem, run, validate_inputs
from brainsim.arena.tables import metrics
from brainsim.config import BaseConfig, param
from brainsim.registry import Chart, Equation, Experiment

TASKS = ("xor", "circles", "moons", "spiral", "blobs", "digits", "local file", "csv text")
DEFAULT_LEARNERS = ("backprop mlp", "feedback alignment", "reward-modulated", "hebbian features", "delta rule")
DIGITS_TRAIN = 1348  # training rows of digits at the default split, for the budget estimate


@dataclass(frozen=True)
class ArenaConfig(BaseConfig):
    RENAMED = {"n_seeds": "seeds"}  # saved configs and links from before the rename still load

    task: str = param(
        "circles",
        choices=TASKS,
        help="The task every learner races on: a 2-D toy, the 8×8 digits, "
        "a local .npz/IDX/.csv file, or CSV text pasted below.",
    )
    noise: float = param(0.1, lo=0.0, hi=1.0, step=0.05, help="Noise of the 2-D tasks (std of the jitter).")
    n_samples: int = param(400, lo=20, hi=4000, label="size", help="Points drawn for a 2-D task.")
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
        1.0, lo=1e-4, hi=10.0, widget="number", advanced=True, help="Output-layer rate η of the reward-modulated rules."
    )
    reward_hidden_lr: float = param(
        0.003,
        lo=0.0,
        hi=1.0,
        widget="number",
        advanced=True,
        help="Hidden-layer (node perturbation) rate of the reward-modulated learner.",
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
    file_path: str = param(
        "",
        advanced=True,
        help="Local file for task 'local file': .npz with x and y, an IDX "
        "images file (labels in 'labels path'), or a .csv with a label column.",
    )
    labels_path: str = param("", advanced=True, help="IDX labels file that goes with an IDX images file.")
    max_samples: int = param(
        5000, lo=100, hi=20000, advanced=True, help="Rows kept from a local image file (seeded subsample)."
    )
    csv_text: str = param(
        "",
        widget="text",
        advanced=True,
        help="For task 'csv text': a header row, then rows of numeric features and a label.",
    )
    label_column: str = param("label", advanced=True, help="Name of the label column of a CSV.")

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' is empty; pick at least one learner."
        if "cnn" in self.learners and self.task in (*datasets.TASKS_2D, "csv text"):
            return "Learner 'cnn' needs an image task (digits or a local image file); remove it or change 'task'."
        if self.task == "local file" and not self.file_path.strip():
            return "Task 'local file' needs a path in 'file_path' (.npz, IDX or .csv)."
        if self.task == "csv text" and not self.csv_text.strip():
            return "Task 'csv text' needs CSV text in 'csv_text': a header row, then one row per sample."
        n = {"digits": DIGITS_TRAIN, "local file": self.max_samples, "csv text": 50}.get(
            self.task, self.n_samples * self.train_fraction
        )
        return budget_problem(self, int(n))


NOTES = """
Every learner starts from the same split, the same initial weights where shapes allow (W₁ and W₂ of
one hidden layer of H units), sees the same batches in the same order, and is scored on the same test
set after each epoch. Backprop networks use the chosen torch.optim optimizer; the brain-like rules use
plain local updates with their own rates (Advanced), so set the optimizer to sgd for a like-for-like
comparison. The **reward-modulated** learner never sees a label: it samples an answer and gets reward
1 or 0; its hidden layer learns by node perturbation. **Hebbian features** are learned without labels
(competitive Krotov-Hopfield rule); only the readout uses labels (or reward, for *hebbian + reward*).

*Train more* continues every learner from where the run stopped: the run is deterministic, so it trains
`epochs + extra_epochs` epochs from the same state and marks the extra ones phase "train more".
Samples to target = samples seen when the seed-mean test accuracy first reaches 90 % of the best
learner's final accuracy (resolution: one epoch). Wall-clock seconds are in the *timing* table only.
"""

EQUATIONS = (
    Equation(
        r"\Delta W = \tfrac{\eta}{B}\sum_b (t_b - y_b)\,x_b^\top",
        "Delta rule / single-layer perceptron "
        "(Widrow & Hoff 1960); y = z (MSE) or softmax(z) (cross-entropy), t the one-hot target.",
    ),
    Equation(
        r"\delta_2 = t - y,\quad \delta_1 = (B\,\delta_2)\odot f'(a_1),\quad "
        r"\Delta W_1 = \tfrac{\eta}{B}\sum_b \delta_1 x^\top",
        "Feedback alignment (Lillicrap et al. 2016): the output error δ₂ returns through a fixed random "
        "matrix B instead of W₂ᵀ; both layers then learn by the delta rule.",
    ),
    Equation(
        r"\Delta W_2 = \eta\,(R-\bar R)\,(\mathbf{1}_k - \pi)\,h^\top,\quad "
        r"\Delta W_1 = \eta_h\,(R-\bar R)\,\tfrac{\xi}{\sigma^2}\,x^\top,\quad \bar R \leftarrow \bar R + "
        r"\alpha(R-\bar R)",
        "Reward-modulated three-factor rule: REINFORCE for the sampled answer k ~ π = softmax(z) and node "
        "perturbation ξ ~ N(0, σ²) of the hidden units (Williams 1992; Frémaux & Gerstner 2016).",
    ),
    Equation(
        r"\Delta w_\mu = \eta\, g_\mu\,(x - \langle w_\mu, x\rangle w_\mu),\quad g = 1 \text{ (winner)},"
        r"\ -\Delta \text{ (k-th)},\ 0 \text{ (others)}",
        "Competitive Hebbian features with Oja decay (Krotov & Hopfield 2019; Oja 1982).",
    ),
    Equation(
        r"W \leftarrow \mathrm{opt}\big(W, \partial \ell / \partial W\big)",
        "Backpropagation (Rumelhart, Hinton & Williams 1986) with a torch.optim optimizer.",
    ),
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
        ),
        Chart("Loss vs samples seen", "curves", charts.loss_curves, "The chosen loss on train and test sets."),
        Chart(
            "Accuracy vs wall time",
            "timing",
            charts.wall_time_curves,
            "Test accuracy against training seconds (machine-dependent; evaluation time excluded).",
        ),
        Chart("Decision regions", "boundary", charts.boundaries, "Each learner's predicted class over the plane."),
        Chart("Confusion matrices", "confusion", charts.confusion, "Where each learner's test answers go."),
        Chart(
            "Learned features",
            "features",
            charts.feature_tiles,
            "First-layer weights of 16 hidden units per learner: image tiles, 3×3 filters for the CNN, one row of "
            "weights per unit for flat inputs.",
        ),
    ),
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    validate_inputs=validate_inputs,
)
