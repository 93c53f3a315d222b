"""What the overfitting page shows: notes, equations, charts and headline numbers."""

from __future__ import annotations

from brainsim.overfitting import charts as oc
from brainsim.overfitting.tables import EARLY
from brainsim.registry import Chart, Equation

NOTES = """
A small labelled subset of the 8x8 digits, some of its labels wrong: each network is measured every epoch on
its (noisy) training set, on a validation set with the same noise and on a clean test set.

**What to look for**
- The unregularised MLP fits nearly every training label, the wrong ones included (*memorised noise*), while
  its test accuracy peaks early and then falls: it memorises instead of generalising (Zhang et al. 2017).
- Early stopping (the star: best validation accuracy), weight decay and dropout keep the test accuracy up;
  shifting the CNN's images by a pixel makes the noise hard to memorise.
- The CNN's weight sharing and pooling help at equal training-set size.
- Double descent (Nakkiran et al. 2019): try sweep = width with 150 epochs. At these sizes test accuracy
  shows no dip, only a plateau around the width where the MLP first fits every label (16-64 units), and
  the test loss a bump there that falls again for wider networks.
---
**Brain vs network.** No brain-like learner here: this page is about backprop networks, the yardstick the
other pages compare local rules with. The honest connection is in the regularisers: brains face the same
trade-off with few, noisy examples, and weight decay resembles synaptic homeostasis (synapses shrink
toward a set point), dropout resembles unreliable synaptic transmission, and augmentation the many views
an eye gets of one object; none of this page shows a brain doing it.
"""

EQUATIONS = (
    Equation(
        r"\mathcal{L}(\theta) = -\frac{1}{B}\sum_{b=1}^{B} \log \operatorname{softmax}"
        r"\big(f_\theta(x_b)\big)_{\tilde y_b},"
        r"\quad \tilde y = \begin{cases} y & \text{prob. } 1-\epsilon \\ \text{another class} & \text{prob. } \epsilon"
        r"\end{cases}",
        "Cross-entropy on noisy labels ε (symmetric label noise; Zhang et al. 2017), minimised by torch.optim",
    ),
    Equation(
        r"g \leftarrow \nabla_\theta \mathcal{L} + \lambda\,\theta",
        "L2 regularisation / weight decay: the gradient of L + (λ/2)‖θ‖² (Krogh & Hertz 1992)",
    ),
    Equation(
        r"\tilde h = h \odot r / (1-p),\quad r_i \sim \mathrm{Bernoulli}(1-p)",
        "Inverted dropout of hidden units during training (Srivastava et al. 2014)",
    ),
    Equation(
        r"e^{*} = \arg\max_{e} \mathrm{acc}_{\mathrm{val}}(e), \quad \theta \leftarrow \theta_{e^{*}}",
        "Early stopping: keep the weights of the epoch with the best validation accuracy "
        "(Morgan & Bourlard 1990; Prechelt 1998)",
    ),
    Equation(
        r"a_{c}(i,j) = b_c + \sum_{u,v=-1}^{1} w_{c}(u,v)\, x(i+u, j+v),\quad "
        r"h_c = \operatorname{maxpool}_{2\times 2}\big(\mathrm{ReLU}(a_c)\big)",
        "Convolution with weight sharing and max-pooling (LeCun et al. 1989); augmentation: x shifted by "
        "up to one pixel each epoch (Simard et al. 2003)",
    ),
)


def metrics(results, cfg) -> list[tuple[str, str, str]]:
    """Headline numbers: each learner's final test accuracy (mean over seeds), and the unregularised MLP's
    training accuracy and fall from its best test accuracy."""
    s = results["summary"]
    mean = s.groupby("learner", sort=False).mean(numeric_only=True)
    out = []
    if "mlp" in mean.index:
        m = mean.loc["mlp"]
        out.append(("mlp training accuracy", f"{m['final_train_accuracy']:.1%}", "final epoch, noisy labels"))
        out.append(("mlp test, best epoch", f"{m['best_test_accuracy']:.1%}", "clean labels, at its best epoch"))
        out.append(("mlp test, final", f"{m['final_test_accuracy']:.1%}", "clean labels, last epoch"))
    for learner in mean.index:
        if learner != "mlp":
            caption = "at the early-stopping epoch" if learner.endswith(EARLY) else "final epoch"
            out.append((learner, f"{mean.loc[learner, 'final_test_accuracy']:.1%}", f"test accuracy, {caption}"))
    return out


CHARTS = (
    Chart(
        "Training and test accuracy",
        "curves",
        oc.accuracy_chart,
        "Mean and 95% band over seeds. Training accuracy is measured against the noisy labels the network "
        "learns from, test accuracy against clean ones. Stars: the epoch early stopping picks (best validation "
        "accuracy, mean over seeds) and the test accuracy there.",
        expanded=True,
    ),
    Chart("Loss", "curves", oc.loss_chart, "Cross-entropy on the training set (noisy) and the test set (clean)."),
    Chart(
        "Timeline: watch a network memorise",
        "predictions",
        oc.predictions_timeline,
        "Drag the slider or press Play. First seed: its first ten training images whose label is wrong (top "
        "rows) and its first ten test images (bottom rows); beside each, the class a network predicts at that "
        "epoch: green the true class, red the wrong label it was trained on, orange another class. Early on a "
        "network ignores the wrong labels and predicts the true digit; a network that memorises turns the top "
        "rows red one by one. Hover an image for its labels.",
    ),
    Chart(
        "Generalisation gap",
        "curves",
        oc.gap_chart,
        "Training minus test accuracy: it grows while a network memorises.",
        expanded=True,
    ),
    Chart(
        "Memorised label noise",
        "curves",
        oc.noise_chart,
        "Share of the mislabelled training images the network predicts as their wrong label: a network that "
        "generalises keeps this near 0; one that memorises drives it to 1.",
    ),
    Chart(
        "Final test accuracy by regulariser",
        "summary",
        oc.final_chart,
        "Mean and 95% interval over seeds; '+ early stopping' is the unregularised network's test accuracy at "
        "the epoch of its best validation accuracy.",
    ),
    Chart(
        "Width and training-set size sweeps",
        "sweep",
        oc.sweep_chart,
        "Unregularised networks trained for the same epochs at each size (the 'sweep' setting). Double descent "
        "(Nakkiran et al. 2019) would show as a test-accuracy dip near the width where training accuracy "
        "first reaches 100%.",
    ),
    Chart(
        "Sweep: final test loss",
        "sweep",
        oc.sweep_loss_chart,
        "Cross-entropy on the clean test set at the last epoch. With 20% noise, 200 images and 150 epochs (3 "
        "seeds) we saw no dip in test accuracy, only a plateau at widths 16-64 where training accuracy reaches "
        "100%, but a bump in test loss there (lowest at width 8, highest near 64, falling again by 512): a "
        "faint double descent in loss.",
    ),
)
