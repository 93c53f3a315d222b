"""Single neuron vs hidden layer: why one neuron learns AND/OR but not XOR.

Three learners get the same logic task, the same data, the same seeds and the same number of
epochs: a sigmoid neuron trained by the delta rule, a neuron trained by a supervised Hebbian
rule, and a one-hidden-layer MLP trained by backpropagation with a torch.optim optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass

from brainsim.config import BaseConfig, param
from brainsim.datasets import LOGIC_TASKS
from brainsim.equations import optimizer_equations
from brainsim.live import LiveCurve
from brainsim.registry import Chart, Equation, Experiment, More
from brainsim.torchkit import ACTIVATIONS, OPTIMIZERS
from brainsim.xor import charts, cost
from brainsim.xor.neurons import LEARNERS
from brainsim.xor.training import run


@dataclass(frozen=True)
class XorConfig(BaseConfig):
    task: str = param("xor", choices=LOGIC_TASKS, help="Logic gate the learners must compute.")
    noise: float = param(
        0.0,
        lo=0.0,
        hi=0.5,
        step=0.01,
        help="0 = the four truth-table points; > 0 = noisy clouds around the corners with this standard deviation.",
    )
    n_points: int = param(
        200, lo=20, hi=2000, step=10, help="Training points per seed when noise > 0 (the test set is as large)."
    )
    learners: tuple[str, ...] = param(
        LEARNERS, choices=LEARNERS, aliases={"mlp (backprop)": "backprop mlp"}, help="Which learners race."
    )
    seeds: int = param(
        10,
        lo=1,
        hi=50,
        help="Independent seeds (seed, seed+1, ...): each seed's data, initial weights and shuffles come from its "
        "own generator.",
    )
    epochs: int = param(300, lo=1, hi=5000, step=50, help="Full passes over the training set, same for all.")
    boundary_seed: int = param(
        0,
        lo=0,
        hi=49,
        label="seed shown",
        help="Which seed the decision-boundary chart draws, counted from the first: 0 = seed, 1 = seed + 1, ... "
        "(below the number of seeds).",
    )
    neuron_lr: float = param(
        1.0, lo=1e-4, hi=100.0, widget="number", label="neuron learning rate", help="η of the delta and Hebbian rules."
    )
    hidden: int = param(4, lo=1, hi=64, help="Hidden units of the MLP.")
    activation: str = param("tanh", choices=ACTIVATIONS, help="Hidden-layer nonlinearity of the MLP.")
    loss: str = param("cross-entropy", choices=("cross-entropy", "mse"), help="Loss the MLP minimises.")
    output: str = param(
        "sigmoid",
        choices=("sigmoid", "linear"),
        help="Output unit of the delta neuron and the MLP; linear = Widrow-Hoff LMS with MSE, "
        "which diverges for large learning rates.",
    )
    optimizer: str = param(
        "adam", choices=OPTIMIZERS, help="torch.optim optimizer of the MLP; gd = SGD on the whole training set."
    )
    lr: float = param(
        0.05,
        lo=1e-4,
        hi=100.0,
        widget="number",
        label="MLP learning rate",
        help="Learning rate of the MLP's optimizer.",
    )
    batch_size: int = param(
        32,
        lo=1,
        hi=2000,
        advanced=True,
        help="Mini-batch size for sgd/momentum/adagrad/rmsprop/adam (gd uses all points).",
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        if self.boundary_seed >= self.seeds:
            return (
                f"Field 'boundary_seed' must be below seeds ({self.seeds}): the chart can show seeds 0 to "
                f"{self.seeds - 1} of this run, not {self.boundary_seed}."
            )
        return None


NOTES = """
A neuron's decision boundary is one straight line, w·x + b = 0: it can split AND and OR but never XOR,
whose classes sit on opposite corners. One hidden layer of a few units bends the boundary.

**What to look for**
- *Accuracy vs epoch*: on XOR both single neurons stall (a line gets at most 3 of the 4 points right),
  while the MLP reaches 100% on almost every seed within a few dozen epochs.
- *Decision boundaries*: one straight edge for a neuron, a bent or two-edged region for the MLP.
- Switch the task to AND or OR: every learner reaches 100%. Add noise to blur the four points.
"""

EQUATIONS = (
    Equation(
        r"y = \sigma(\mathbf{w}\cdot\mathbf{x} + b),\qquad \Delta\mathbf{w} = \eta\,(t - y)\,\mathbf{x}",
        "Delta rule for one sigmoid neuron, t the target, η the learning rate, averaged over the four points: "
        "with the sigmoid output it is gradient descent on the cross-entropy loss (logistic regression). With "
        "output = linear (y = w·x + b) and squared error it is Widrow & Hoff's (1960) LMS rule.",
    ),
    Equation(
        r"\Delta\mathbf{w} = \eta\,(s\,\mathbf{x} - \lambda\,\mathbf{w}),\quad s = 2t-1"
        r"\;\Rightarrow\;\mathbf{w}^\ast = \langle s\,\mathbf{x}\rangle/\lambda",
        "Supervised Hebbian rule with decay (Hebb 1949): weights follow input–target correlations, "
        "which are zero for XOR.",
    ),
    Equation(
        r"\hat y = \sigma\big(W_2\,f(W_1\mathbf{x} + \mathbf{b}_1) + b_2\big),\qquad "
        r"\theta \leftarrow \mathrm{opt}\big(\theta,\ \nabla_\theta L\big)",
        "One-hidden-layer MLP trained by backpropagation (Rumelhart, Hinton & Williams 1986) with the chosen "
        "torch.optim optimizer (below); Minsky & Papert (1969) showed one layer cannot compute XOR.",
    ),
    *optimizer_equations(OPTIMIZERS),
)

EXPERIMENT = Experiment(
    name="xor",
    title="Single neuron vs hidden layer",
    question="Why can one neuron learn AND/OR but not XOR, and what does a hidden layer change?",
    config=XorConfig,
    run=run,
    charts=(
        Chart("Learning curves", "curves", charts.accuracy_chart, expanded=True),
        Chart("Loss", "curves", charts.loss_chart),
        Chart(
            "Decision boundaries",
            "boundary",
            charts.boundary_chart,
            "One neuron draws one straight line (black: its boundary w·x + b = 0); XOR needs two. On XOR the "
            "delta rule descends the cross-entropy, whose gradient vanishes at w = 0, b = 0 (each input is "
            "uncorrelated with the target and the classes are balanced); the loss is convex, so that is where "
            "it ends: no line, P = 0.5 everywhere. The Hebbian neuron's weights tend to the input–target "
            "correlations, which are zero on XOR. Dashed: the best line the neuron passed through. The MLP's "
            "hidden units each draw a line (dotted) and the output combines them. 'seed shown' picks the seed.",
            expanded=True,
        ),
        Chart(
            "Timeline: decision regions while training",
            "snapshots",
            charts.regions_timeline,
            "Drag the slider or press Play: each learner's P(class 1) over the input square at up to 50 epochs of "
            "training (the seed chosen by 'seed shown'). The MLP's region bends as its hidden units find their "
            "lines; a single neuron's stays one straight edge (or fades to P = 0.5 on XOR).",
        ),
        Chart(
            "Timeline: the network",
            "snapshot_weights",
            charts.network_timeline,
            "The same epochs: every connection drawn red (positive) or blue (negative), as wide as its weight "
            "(relative to the largest it reaches in this run). Hover a unit for its bias, an edge's midpoint for "
            "its weight.",
        ),
        Chart("Final accuracy", "summary", charts.summary_chart),
    ),
    equations=EQUATIONS,
    metrics=charts.metrics,
    notes=NOTES,
    icon=":material/linear_scale:",
    url_path="single_neuron",
    cost=cost.seconds,
    live=LiveCurve("epoch", "train_accuracy", "Training accuracy, live (mean over seeds)", (0.0, 1.05)),
    more=More(field="epochs", step=100, label="epochs"),
)
