"""What the receptive-field page shows: its notes, equations, charts and headline numbers."""

from __future__ import annotations

import pandas as pd

from brainsim.features import charts as fc
from brainsim.features import snapshots as snap
from brainsim.registry import Chart, Equation

NOTES = """
Six learners see the same images: three local rules without labels (Oja, Sanger, competitive), an MLP and a
CNN trained on the labels, an autoencoder trained to reconstruct. Each picture is one unit's weights.

**What to look for**
- *Oja's* unit and *Sanger's* units become the principal components of the images, in order (compare them with
  the PCA reference row): a local Hebbian rule with a decay term computes PCA.
- The *linear autoencoder*, trained by backprop, spans the same top-k subspace, but its units are rotated
  mixtures of the components, not the components themselves (Baldi & Hornik 1989).
- *Competitive* units become prototypes, blurred whole digits: each wins a cluster of inputs.
- The *MLP* and the *CNN* learn only what the labels ask for: MLP fields look noisy, CNN filters are small
  stroke and edge detectors.
- The probe shows what each representation is good for: k principal components keep the variance, not
  necessarily what separates the classes.
---
The autoencoder's subspace is measured on its decoder's columns, which Baldi & Hornik's optimum puts in the
top-k principal subspace; its encoder's rows (drawn) agree only on pixels that vary: weights on pixels that are
blank in every image get no gradient and keep their random start (the Hebbian rules' decay term zeroes them).
"""

EQUATIONS = (
    Equation(
        r"\Delta w = \eta\, y\,(x - y\,w),\quad y = w^\top x",
        "Oja's rule (Oja 1982): w converges to ± the first principal component of zero-mean x, with |w| → 1",
    ),
    Equation(
        r"\Delta W = \eta\,\big(y\,x^\top - \mathrm{LT}[\,y\,y^\top]\,W\big),\quad y = W x",
        "Sanger's generalised Hebbian algorithm (Sanger 1989): LT keeps the lower triangle with the diagonal; "
        "row i converges to the i-th principal component",
    ),
    Equation(
        r"\Delta w_\mu = \eta\, g_\mu\,(x - I_\mu w_\mu),\quad I_\mu = w_\mu^\top x,\quad "
        r"g_\mu = 1 \text{ (strongest)},\ -\Delta \text{ (2nd)},\ 0 \text{ (others)}",
        "Competitive Hebbian learning with Oja decay (Krotov & Hopfield 2019, p = 2, Δ = 0.4); rates "
        "relu(I − mean I) as features",
    ),
    Equation(
        r"\eta_t = \eta_0\,\big(1 - 0.99\,t/T\big)",
        "Learning rate of the local rules over T mini-batch updates: decaying steps let a stochastic rule settle "
        "(Robbins & Monro 1951)",
    ),
    Equation(
        r"\theta \leftarrow \mathrm{Adam}\big(\nabla_\theta \mathcal{L}\big),\quad "
        r"\mathcal{L} = \mathrm{CE}\big(f_\theta(x), y\big)\ \text{or}\ \lVert W_d\, g(W_e x) - x\rVert^2",
        "Backprop (Rumelhart, Hinton & Williams 1986) with Adam (Kingma & Ba 2015): the MLP and the CNN "
        "(LeCun et al. 1989) on labels, the autoencoder on reconstruction; a linear autoencoder's optimum "
        "spans the top-k principal subspace (Baldi & Hornik 1989)",
    ),
    Equation(
        r"\cos\theta_i = \sigma_i\big(Q_W^\top Q_{\mathrm{PCA}}\big)",
        "Principal angles between two subspaces from the singular values of their orthonormal bases "
        "(Björck & Golub 1973; scipy.linalg.subspace_angles)",
    ),
    Equation(
        r"\min_{V, c}\ \mathrm{CE}\big(\mathrm{softmax}(V \hat h + c), y\big) + 10^{-3}\lVert V\rVert^2",
        "Linear probe (Alain & Bengio 2016): the same softmax regression on every learner's standardised "
        "features ĥ, fitted by L-BFGS on the training split, scored on the test split",
    ),
)

CHARTS = (
    Chart(
        "Receptive fields",
        "fields",
        fc.fields_chart,
        "First seed. Each tile is one unit (CNN: one filter), its weights divided by their largest |w|: red "
        "excites, blue inhibits. Oja's and Sanger's units are sign-flipped to match the component of the same "
        "index, whose sign is arbitrary.",
        expanded=True,
    ),
    Chart(
        "Timeline: receptive fields forming",
        "snapshots",
        fc.fields_timeline,
        "Drag the slider or press Play: the first seed's fields at each snapshot epoch (one Hebbian or backprop "
        "epoch = one pass over the training images, in mini-batches of the same size). At most "
        f"{snap.MAX_UNITS} units of each learner; each learner on its own scale w / max|w| over its whole "
        "training, so weights that grow from a small start show it; a learner that stopped earlier holds its "
        "last fields. Oja's and Sanger's units carry the sign of their final match to the components.",
    ),
    Chart(
        "CNN feature maps",
        "feature_maps",
        fc.maps_chart,
        "First seed: the chosen test image and each first-layer filter's relu response to it, scaled to its maximum.",
    ),
    Chart(
        "Hebbian units converge to the principal components",
        "alignment",
        fc.alignment_chart,
        "Mean and 95% band over seeds of |cos| between unit i and scikit-learn's i-th principal component. "
        "The tests hold Oja's unit to ≥ 0.98 and Sanger's first four to ≥ 0.95.",
    ),
    Chart(
        "Subspace found by Sanger's rule and the autoencoder",
        "subspace",
        fc.subspace_chart,
        "Largest principal angle between the span of the k units and the top-k PCA subspace (0° = the same "
        "subspace, 90° = a direction missing). A linear autoencoder should end below 10°; with nonlinear "
        "units it need not.",
    ),
    Chart(
        "Linear probe accuracy",
        "probe",
        fc.probe_chart,
        "The same probe on every representation and split; the number of features in brackets. References: "
        "the raw pixels and their projection on the top-k principal components.",
        expanded=True,
    ),
    Chart("Backprop training loss", "training", fc.training_chart, "Mean and 95% band over seeds."),
)


def metrics(results: dict[str, pd.DataFrame], cfg) -> list[tuple[str, str, str]]:
    """Headline numbers: Oja's and Sanger's alignment, the autoencoder's angle and the best probe."""
    out = []
    a, s = _last_epoch(results["alignment"]), _last_epoch(results["subspace"])
    for learner, caption in (("oja", "|cos| with PC 1, mean over seeds"), ("sanger", "smallest |cos| of unit i")):
        part = a[a["learner"] == learner]
        if len(part):
            value = part.groupby("seed")["abs_cos"].min().mean()
            out.append((learner, f"{value:.3f}", caption))
    ae = s[s["learner"] == "autoencoder"]
    if len(ae):
        value = ae.groupby("seed")["degrees"].max().mean()
        out.append(("autoencoder angle (°)", f"{value:.1f}", "largest principal angle to the PCA subspace"))
    p = results["probe"].groupby("learner", sort=False)["test_accuracy"].mean().dropna()
    if len(p):
        out.append(("best probe", f"{p.max():.3f}", f"test accuracy: {p.idxmax()}"))
    return out


def _last_epoch(df: pd.DataFrame) -> pd.DataFrame:
    """Each learner's rows at its own last epoch."""
    if df.empty:
        return df
    return df[df["epoch"] == df.groupby("learner")["epoch"].transform("max")]
