"""Single neuron vs hidden layer: why one neuron learns AND/OR but not XOR.

Three learners get the same logic task, the same data, the same seeds and the same number of
epochs: a sigmoid neuron trained by the delta rule, a neuron trained by a supervised Hebbian
rule, and a one-hidden-layer MLP trained by backpropagation with a torch.optim optimizer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from brainsim import tasks
from brainsim.charts import color_map, line_with_band, style
from brainsim.config import BaseConfig, param
from brainsim.registry import Chart, Equation, Experiment
from brainsim.runtime import is_finite, resolve_device, torch_generator
from brainsim.xor.neurons import (
    OPTIMIZERS,
    BatchedMLP,
    DeltaNeuron,
    HebbianNeuron,
    loss_per_seed,
    make_optimizer,
    predict,
    readout,
    uniform_init,
)

LEARNERS = ("single neuron (delta)", "single neuron (hebbian)", "mlp (backprop)")
GRID = 41  # decision-boundary grid resolution per axis


@dataclass(frozen=True)
class XorConfig(BaseConfig):
    task: str = param("xor", choices=("and", "or", "xor"), help="Logic gate the learners must compute.")
    noise: float = param(0.0, lo=0.0, hi=0.5, step=0.01,
                         help="0 = the four truth-table points; > 0 = noisy clouds around the corners "
                              "with this standard deviation.")
    n_points: int = param(200, lo=20, hi=2000, step=10,
                          help="Training points per seed when noise > 0 (the test set is as large).")
    learners: tuple[str, ...] = param(LEARNERS, choices=LEARNERS, help="Which learners race.")
    seeds: int = param(10, lo=1, hi=50, help="Independent seeds (seed, seed+1, ...): data and initial weights.")
    epochs: int = param(300, lo=1, hi=5000, step=50, help="Full passes over the training set, same for all.")
    neuron_lr: float = param(1.0, lo=1e-4, hi=100.0, widget="number", label="neuron learning rate",
                             help="η of the delta and Hebbian rules.")
    hidden: int = param(4, lo=1, hi=64, help="Hidden units of the MLP.")
    activation: str = param("tanh", choices=("sigmoid", "tanh", "relu", "leaky relu"),
                            help="Hidden-layer nonlinearity of the MLP.")
    loss: str = param("cross-entropy", choices=("cross-entropy", "mse"), help="Loss the MLP minimises.")
    output: str = param("sigmoid", choices=("sigmoid", "linear"),
                        help="Output unit of the delta neuron and the MLP; linear = Widrow-Hoff LMS with MSE, "
                             "which diverges for large learning rates.")
    optimizer: str = param("adam", choices=OPTIMIZERS,
                           help="torch.optim optimizer of the MLP; gd = SGD on the whole training set.")
    lr: float = param(0.05, lo=1e-4, hi=100.0, widget="number", label="MLP learning rate",
                      help="Learning rate of the MLP's optimizer.")
    batch_size: int = param(32, lo=1, hi=2000, advanced=True,
                            help="Mini-batch size for sgd/momentum/adagrad/rmsprop/adam (gd uses all points).")

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        return None


# --------------------------------------------------------------------------- data

def _data(cfg: XorConfig, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and test points in the unit-square coordinates the user sees."""
    if cfg.noise == 0.0:
        x, y = tasks.logic_table(cfg.task)
        return x, y, x, y
    x, y = tasks.noisy_logic(cfg.task, 2 * cfg.n_points, cfg.noise, seed)
    return x[: cfg.n_points], y[: cfg.n_points], x[cfg.n_points:], y[cfg.n_points:]


def _stack(cfg: XorConfig, seed_list: list[int], device) -> dict[str, torch.Tensor]:
    """Data for every seed stacked on a leading axis; inputs recoded to ±1 (x' = 2x − 1)."""
    parts = [_data(cfg, s) for s in seed_list]
    def t(i, dtype=torch.float32):
        return torch.as_tensor(np.stack([p[i] for p in parts]), dtype=dtype, device=device)
    return {"xtr": 2 * t(0) - 1, "ytr": t(1).unsqueeze(-1), "xte": 2 * t(2) - 1, "yte": t(3).unsqueeze(-1),
            "raw_tr": t(0), "raw_y": t(1)}


# --------------------------------------------------------------------------- training

def _accuracy(z: torch.Tensor, y: torch.Tensor, output: str) -> torch.Tensor:
    return (predict(z, output).float() == y).float().mean(dim=(-2, -1))  # (S,)


def _log_epochs(epochs: int, max_points: int = 150) -> set[int]:
    """Epochs at which curves are recorded: all of them for short runs, ~150 evenly otherwise."""
    return set(np.unique(np.linspace(0, epochs, min(epochs + 1, max_points)).round().astype(int)).tolist())


def _train(learner: str, cfg: XorConfig, data: dict, seed_list: list[int], device, progress, p0: float, p1: float):
    """Train one learner on all seeds; return (curve rows, final logits fn, n_params, updates, wall_s)."""
    n_seeds, n_train, d = data["xtr"].shape
    gen = torch_generator(cfg.seed, 7)
    w0 = uniform_init(gen, (n_seeds, 1, d), d).to(device)  # shared by both single neurons
    b0 = uniform_init(gen, (n_seeds, 1, 1), d).to(device)
    output = "sigmoid" if learner == "single neuron (hebbian)" else cfg.output
    loss_name = "cross-entropy" if learner != "mlp (backprop)" else cfg.loss
    full_batch = learner != "mlp (backprop)" or cfg.optimizer == "gd"
    batch = n_train if full_batch else min(cfg.batch_size, n_train)
    steps_per_epoch = -(-n_train // batch)
    if learner == "mlp (backprop)":
        model = BatchedMLP(torch_generator(cfg.seed, 8), n_seeds, d, cfg.hidden, cfg.activation).to(device)
        opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
        n_params = model.n_parameters()
    else:
        cls = DeltaNeuron if learner == "single neuron (delta)" else HebbianNeuron
        model = cls(w0, b0, cfg.neuron_lr, output)
        n_params = model.n_parameters()
    shuffle_gen = torch_generator(cfg.seed, 9)
    alive = torch.ones(n_seeds, dtype=torch.bool)
    diverged_at = [None] * n_seeds
    rows = []
    log_at = _log_epochs(cfg.epochs)
    start = time.perf_counter()

    def record(epoch: int):
        with torch.no_grad():
            lt, le = model.logits(data["xtr"]), model.logits(data["xte"])
            loss = loss_per_seed(lt, data["ytr"], loss_name, output)
            finite = torch.isfinite(loss).cpu() & torch.isfinite(lt).all(dim=(-2, -1)).cpu()
            tr, te = _accuracy(lt, data["ytr"], output).cpu(), _accuracy(le, data["yte"], output).cpu()
        for s in range(n_seeds):
            if not alive[s]:
                continue
            if not finite[s]:
                alive[s] = False
                diverged_at[s] = epoch
            rows.append((learner, seed_list[s], epoch, epoch * n_train, epoch * steps_per_epoch,
                         float(loss[s]) if finite[s] else float("nan"), float(tr[s]), float(te[s]), not finite[s]))

    record(0)
    for epoch in range(1, cfg.epochs + 1):
        order = torch.argsort(torch.rand(n_seeds, n_train, generator=shuffle_gen), dim=1).to(device)
        for k in range(steps_per_epoch):
            idx = order[:, k * batch:(k + 1) * batch]  # (S, B): each seed its own shuffle
            xb = torch.gather(data["xtr"], 1, idx.unsqueeze(-1).expand(-1, -1, d))
            yb = torch.gather(data["ytr"], 1, idx.unsqueeze(-1))
            if learner == "mlp (backprop)":
                opt.zero_grad(set_to_none=True)
                loss_per_seed(model.logits(xb), yb, loss_name, output).sum().backward()
                opt.step()
            else:
                model.step(xb, yb)
        if epoch in log_at or not bool(alive.all()):
            record(epoch)
            if not bool(alive.any()):
                break
            if not is_finite(*(p for p in _weights(model))):
                # zero diverged slices so NaN cannot leak into shared reductions
                with torch.no_grad():
                    for p in _weights(model):
                        p.nan_to_num_(0.0, 0.0, 0.0)
        if progress and epoch % 25 == 0:
            progress(p0 + (p1 - p0) * epoch / cfg.epochs, f"{learner}: epoch {epoch}/{cfg.epochs}")
    wall = time.perf_counter() - start
    updates = cfg.epochs * steps_per_epoch
    return rows, model, n_params, updates, wall, diverged_at, output


def _weights(model) -> list[torch.Tensor]:
    return list(model.parameters()) if isinstance(model, torch.nn.Module) else [model.w, model.b]


def _boundary(learner: str, model, output: str, data: dict, seed_value: int, device) -> list[tuple]:
    """P(class 1) on a grid over the input square for the first seed, plus that seed's points."""
    g = np.linspace(-0.5, 1.5, GRID, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    xs = torch.as_tensor(2 * pts - 1, device=device).unsqueeze(0)
    n_seeds = data["xtr"].shape[0]
    with torch.no_grad():
        p = readout(model.logits(xs.expand(n_seeds, -1, -1)), output)[0, :, 0].cpu().numpy()
    p = np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0)
    rows = [(learner, seed_value, "grid", float(a), float(b), float(c), -1) for (a, b), c in zip(pts, p)]
    raw, y = data["raw_tr"][0].cpu().numpy(), data["raw_y"][0].cpu().numpy()
    rows += [(learner, seed_value, "point", float(a), float(b), float("nan"), int(c)) for (a, b), c in zip(raw, y)]
    return rows


def run(cfg: XorConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Train every chosen learner on every seed; return curves, boundary, summary, timing tables."""
    device = resolve_device(cfg.device)
    seed_list = [cfg.seed + i for i in range(cfg.seeds)]
    data = _stack(cfg, seed_list, device)
    curves, boundary, summary, timing = [], [], [], []
    chosen = [name for name in LEARNERS if name in cfg.learners]
    for i, learner in enumerate(chosen):
        p0, p1 = i / len(chosen), (i + 1) / len(chosen)
        rows, model, n_params, updates, wall, diverged_at, output = _train(learner, cfg, data, seed_list, device,
                                                                   progress, p0, p1)
        curves += rows
        boundary += _boundary(learner, model, output, data, seed_list[0], device)
        timing.append((learner, len(seed_list), cfg.epochs, wall, wall / max(cfg.epochs, 1)))
        summary.append(_summarise(learner, rows, seed_list, n_params, updates, diverged_at))
    if progress:
        progress(1.0, "done")
    return {
        "curves": pd.DataFrame(curves, columns=["learner", "seed", "epoch", "samples_seen", "weight_updates",
                                                "train_loss", "train_accuracy", "test_accuracy", "diverged"]),
        "boundary": pd.DataFrame(boundary, columns=["learner", "seed", "kind", "x1", "x2", "p_class1", "label"]),
        "summary": pd.DataFrame(summary, columns=[
            "learner", "seeds", "final_train_accuracy_mean", "final_train_accuracy_min",
            "final_train_accuracy_max", "final_test_accuracy_mean", "solved_fraction", "epochs_to_solve_median",
            "weight_updates", "n_parameters", "diverged_seeds", "diverged"]),
        "timing": pd.DataFrame(timing, columns=["learner", "seeds", "epochs", "wall_s", "wall_s_per_epoch"]),
    }


def _summarise(learner, rows, seed_list, n_params, updates, diverged_at) -> tuple:
    df = pd.DataFrame(rows, columns=["learner", "seed", "epoch", "samples", "updates", "loss", "tr", "te", "div"])
    last = df.groupby("seed").tail(1)
    solved = df[df["tr"] >= 1.0].groupby("seed")["epoch"].min()
    n_div = sum(d is not None for d in diverged_at)
    return (learner, len(seed_list), last["tr"].mean(), last["tr"].min(), last["tr"].max(), last["te"].mean(),
            len(solved) / len(seed_list), float(solved.median()) if len(solved) else float("nan"), updates,
            n_params, n_div, n_div > 0)


# --------------------------------------------------------------------------- charts

def accuracy_chart(df: pd.DataFrame, cfg: XorConfig) -> go.Figure:
    fig = line_with_band(df, "epoch", "train_accuracy", title="Training accuracy (mean and 95% band over seeds)",
                         y_label="train accuracy")
    fig.add_hline(y=0.75, line_dash="dot", line_color="grey", annotation_text="75%")
    return fig.update_yaxes(range=[0, 1.05])


def loss_chart(df: pd.DataFrame, cfg: XorConfig) -> go.Figure:
    return line_with_band(df, "epoch", "train_loss", title="Training loss (mean and 95% band over seeds)",
                          y_label="train loss")


def boundary_chart(df: pd.DataFrame, cfg: XorConfig) -> go.Figure:
    learners = list(dict.fromkeys(df["learner"]))
    fig = make_subplots(rows=1, cols=len(learners), subplot_titles=learners, shared_yaxes=True)
    for i, name in enumerate(learners, start=1):
        grid = df[(df["learner"] == name) & (df["kind"] == "grid")]
        z = grid.pivot(index="x2", columns="x1", values="p_class1")
        fig.add_trace(go.Heatmap(x=z.columns, y=z.index, z=z.values, zmin=0, zmax=1, colorscale="RdBu_r",
                                 showscale=i == len(learners), colorbar=dict(title="P(1)")), row=1, col=i)
        pts = df[(df["learner"] == name) & (df["kind"] == "point")]
        fig.add_trace(go.Scatter(x=pts["x1"], y=pts["x2"], mode="markers", showlegend=False,
                                 marker=dict(color=pts["label"], colorscale=[[0, "#2166ac"], [1, "#b2182b"]],
                                             size=9 if len(pts) <= 8 else 5, line=dict(color="white", width=1))),
                      row=1, col=i)
    fig.update_layout(height=330)
    return style(fig, f"Decision boundaries, seed {int(df['seed'].iloc[0])} (colour = P(class 1))")


def summary_chart(df: pd.DataFrame, cfg: XorConfig) -> go.Figure:
    fig = px.bar(df, x="learner", y="final_train_accuracy_mean", color="learner",
                 color_discrete_map=color_map(df["learner"]), error_y=df["final_train_accuracy_max"] -
                 df["final_train_accuracy_mean"], error_y_minus=df["final_train_accuracy_mean"] -
                 df["final_train_accuracy_min"], labels={"final_train_accuracy_mean": "final train accuracy"})
    return style(fig, "Final accuracy (bars: mean; whiskers: min to max over seeds)").update_yaxes(range=[0, 1.05])


def metrics(tables: dict[str, pd.DataFrame], cfg: XorConfig) -> list[tuple[str, str]]:
    s = tables["summary"]
    return [(row.learner, f"{row.final_train_accuracy_mean:.0%} (solved {row.solved_fraction:.0%} of seeds)")
            for row in s.itertuples()]


EXPERIMENT = Experiment(
    name="xor",
    title="Single neuron vs hidden layer",
    question="Why can one neuron learn AND/OR but not XOR, and what does a hidden layer change?",
    config=XorConfig,
    run=run,
    charts=(
        Chart("Learning curves", "curves", accuracy_chart),
        Chart("Loss", "curves", loss_chart),
        Chart("Decision boundaries", "boundary", boundary_chart,
              "One neuron draws one straight line; XOR needs two. The MLP's hidden units each draw a line "
              "and the output combines them."),
        Chart("Final accuracy", "summary", summary_chart),
    ),
    equations=(
        Equation(r"y = \sigma(\mathbf{w}\cdot\mathbf{x} + b),\qquad \Delta\mathbf{w} = \eta\,(t - y)\,\mathbf{x}",
                 "Delta rule for one sigmoid neuron (Widrow & Hoff 1960); t the target, η the learning rate."),
        Equation(r"\Delta\mathbf{w} = \eta\,(s\,\mathbf{x} - \lambda\,\mathbf{w}),\quad s = 2t-1"
                 r"\;\Rightarrow\;\mathbf{w}^\ast = \langle s\,\mathbf{x}\rangle/\lambda",
                 "Supervised Hebbian rule with decay (Hebb 1949): weights follow input–target correlations, "
                 "which are zero for XOR."),
        Equation(r"\hat y = \sigma\big(W_2\,f(W_1\mathbf{x} + \mathbf{b}_1) + b_2\big),\qquad "
                 r"\theta \leftarrow \mathrm{opt}\big(\theta,\ \nabla_\theta L\big)",
                 "One-hidden-layer MLP trained by backpropagation (Rumelhart, Hinton & Williams 1986) with a "
                 "torch.optim optimizer; Minsky & Papert (1969) showed one layer cannot compute XOR."),
    ),
    metrics=metrics,
    notes="A single neuron's decision boundary is a line, so it can separate AND and OR but never XOR "
          "(at best 3 of 4 points, 75%). Watch the accuracy curves and the boundary heatmaps; then switch "
          "the task to AND or OR, or add noise.",
)
