"""The continual-learning page: notes, equations (with references), charts and headline metrics."""

from __future__ import annotations

from brainsim.continual import charts as cc
from brainsim.registry import Chart, Equation

NOTES = """
One network (one hidden layer) learns a sequence of tasks, one after another; every learner gets the same
initial weights, optimizer, minibatches and epochs per task. After each task it is tested on all of them.

**What to look for**
- *Fine-tuning forgets*: each new task's gradient rewrites the weights the old tasks relied on. In the
  class-incremental scenario it ends knowing only the last pair of digits (average ≈ 1/5).
- *Consolidation (EWC, SI)* anchors the weights that mattered for old tasks. It works when the tasks can
  share one set of weights (permuted digits, task-incremental), but not in the class-incremental scenario:
  nothing in the penalty teaches the network to tell digits of *different* tasks apart (van de Ven & Tolias
  2019).
- *Replay* of a small buffer (the network's hippocampus) rescues even the class-incremental scenario.
- *Multi-timescale synapses* slow forgetting only as much as they slow learning: see the notes below.
- Switch *scenario* to task, or *benchmark* to permuted (with 200 hidden units and 3 epochs per task, EWC
  and SI keep about 10–15 points more average accuracy than fine-tuning over 5 seeds).
---
*Multi-timescale synapses*: each weight is the fast end of a Benna–Fusi chain whose deeper, slower
variables pull it back towards its past values. On these task sequences that pull also resists the new
task: at every chain τ we tried (1 to 1000 steps, 4 to 6 stages, same optimizer, steps and learning rate)
its average accuracy stayed at or below fine-tuning's. With a strong coupling (τ = 1 step) its backward
transfer is closer to 0 than fine-tuning's (permuted digits: about −0.40 against −0.47), paid for by learning
each new task less well. A chain holds a memory over a time that grows with its depth, not the
importance of a weight for a task, which is what EWC and SI measure.
"""

EQUATIONS = (
    Equation(
        r"\theta \leftarrow \theta - \eta\,\mathrm{opt}\!\left(\nabla_\theta \mathcal{L}_t(\theta)\right)",
        "Fine-tuning: plain sequential training on the current task t only (the forgetting baseline)",
    ),
    Equation(
        r"\mathcal{L}(\theta) = \mathcal{L}_t(\theta) + \frac{\lambda}{2}\sum_{k<t}\sum_i F_i^{k}"
        r"\left(\theta_i - \theta_i^{*k}\right)^2,\quad F_i = \mathbb{E}_{x}\,\mathbb{E}_{y\sim p_\theta(\cdot|x)}"
        r"\left[\left(\partial_{\theta_i}\log p_\theta(y|x)\right)^2\right]",
        "Elastic weight consolidation with the diagonal Fisher F (Kirkpatrick et al. 2017)",
    ),
    Equation(
        r"\tilde F \leftarrow \gamma \tilde F + F^{t},\quad \mathcal{L}(\theta) = \mathcal{L}_t(\theta) + "
        r"\frac{\lambda}{2}\sum_i \tilde F_i\left(\theta_i - \theta_i^{*}\right)^2",
        "Online EWC: one running Fisher anchored at the latest weights (Schwarz et al. 2018)",
    ),
    Equation(
        r"\omega_i = -\sum_{\text{steps}} g_i\,\Delta\theta_i,\quad \Omega_i \mathrel{+}= "
        r"\frac{\omega_i}{(\Delta\theta_i^{t})^2 + \xi},\quad \mathcal{L} = \mathcal{L}_t + "
        r"c\sum_i \Omega_i\left(\theta_i - \tilde\theta_i\right)^2",
        "Synaptic intelligence: path-integral importance (Zenke, Poole & Ganguli 2017)",
    ),
    Equation(
        r"\mathcal{L} = \tfrac12\mathcal{L}_t(\text{batch}) + \tfrac12\mathcal{L}(\text{buffer batch}),\quad "
        r"P(\text{example } k \text{ enters}) = M/k",
        "Experience replay from a reservoir buffer of M examples (Vitter 1985), the analogue of hippocampal "
        "replay (McClelland, McNaughton & O'Reilly 1995)",
    ),
    Equation(
        r"C_k\,\frac{du_k}{dt} = g_{k-1,k}(u_{k-1}-u_k) + g_{k,k+1}(u_{k+1}-u_k),\quad C_k = 2^{k-1},\ "
        r"g_{k,k+1} = \frac{2^{-2(k-1)}}{\tau},\quad "
        r"u_1 \leftarrow u_1 - \eta\,\mathrm{opt}(\nabla_{u_1}\mathcal{L}_t)",
        "Multi-timescale synapses: a Benna & Fusi (2016) chain per weight (the memory page's), gradient into "
        "the fast end u₁ (Kaplanis, Shanahan & Clopath 2018)",
    ),
    Equation(
        r"h = g^{t}\odot f(W_1 x + b_1),\quad g^{t}\in\{0,1\}^{H}\ \text{fixed, random per task}",
        "Context-dependent gating (Masse, Grant & Freedman 2018), task-incremental only",
    ),
    Equation(
        r"\mathrm{ACC} = \frac1T\sum_j R_{T,j},\quad "
        r"\mathrm{BWT} = \frac{1}{T-1}\sum_{j<T}\left(R_{T,j}-R_{j,j}\right),"
        r"\quad F = \frac{1}{T-1}\sum_{j<T}\left(\max_{l<T} R_{l,j} - R_{T,j}\right)",
        "Average accuracy, backward transfer (Lopez-Paz & Ranzato 2017) and forgetting (Chaudhry et al. 2018)",
    ),
)

CHARTS = (
    Chart(
        "Final average accuracy",
        "summary",
        cc.final_chart,
        "Mean over all tasks of the test accuracy after the last task; bars: mean and 95% band over seeds, "
        "dots: each seed. Anchor (split MNIST, class-incremental, van de Ven & Tolias 2019): none 19.9%, "
        "EWC 20.0%, SI 21.3%, replay ≥ 90%, joint 97.9%.",
        expanded=True,
    ),
    Chart(
        "Accuracy on each task during training",
        "curves",
        cc.curves_chart,
        "Mean over seeds. A task's line rises while it is trained and, for a forgetting learner, falls as soon "
        "as the next task starts.",
        expanded=True,
    ),
    Chart(
        "Accuracy on each task as tasks arrive",
        "curves",
        cc.tasks_timeline,
        "Timeline of the curves table: move the slider (or ▶ Play) through training (labels: step:task in "
        "training). Bars: test accuracy on each task seen so far, mean over seeds; outlined: the task in training; "
        "dashed: their average. A forgetting learner's old bars fall as each new one rises.",
    ),
    Chart(
        "Accuracy matrix",
        "accuracy_matrix",
        cc.matrix_chart,
        "Mean over seeds. Below the diagonal: old tasks after later training (forgetting shows as dark cells); "
        "the diagonal: each task just after it was learned.",
    ),
    Chart(
        "Backward transfer",
        "summary",
        cc.transfer_chart,
        "BWT = mean over old tasks of (final accuracy − accuracy just after learning it). The summary table "
        "also holds forgetting (Chaudhry et al. 2018): the drop from each old task's best accuracy.",
    ),
)


def metrics(results, cfg) -> list[tuple[str, str, str]]:
    """Each learner's final average accuracy (mean over seeds) and its BWT."""
    s = results["summary"]
    out = []
    for name in dict.fromkeys(s["learner"]):
        part = s[s["learner"] == name]
        acc, bwt = part["average_accuracy"].mean(), part["bwt"].mean()
        out.append((name, f"{acc:.0%}", f"average accuracy; BWT {bwt:+.2f}"))
    return out
