"""Figures of the overfitting page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from brainsim.charts import GREYS, color_map, empty_figure, line_with_band, square_pixels, style
from brainsim.overfitting.data import SIDE, seed_split
from brainsim.timeline import controls, with_frames

SPLITS = {"train": "training set (noisy labels)", "test": "test set (clean labels)"}


def _by_split(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Curves long over the split: one row per learner, seed, epoch and split (training or test)."""
    parts = [df.assign(split=SPLITS[s], value=df[f"{s}_{metric}"]) for s in SPLITS]
    return pd.concat(parts, ignore_index=True)[["learner", "seed", "epoch", "split", "value"]]


def _stop_marks(fig: go.Figure, curves: pd.DataFrame, summary: pd.DataFrame | None, col: int | None) -> None:
    """A star per learner at the mean epoch early stopping picks (best validation accuracy) and the mean test
    accuracy there."""
    cmap = color_map(curves["learner"])
    for learner, part in curves.groupby("learner", sort=False):
        stops = part.loc[part.groupby("seed")["val_accuracy"].idxmax(), ["seed", "epoch"]]
        at = part.merge(stops, on=["seed", "epoch"])
        fig.add_trace(
            go.Scatter(
                x=[stops["epoch"].mean()],
                y=[at["test_accuracy"].mean()],
                mode="markers",
                marker=dict(symbol="star", size=14, color=cmap[learner], line=dict(width=1, color="black")),
                name=f"{learner}: early stop",
                legendgroup=learner,
                showlegend=False,
                hovertemplate=f"{learner}: early stopping picks epoch %{{x:.0f}} (mean), test accuracy %{{y:.3f}}"
                "<extra></extra>",
            ),
            row=1 if col else None,
            col=col,
        )


def accuracy_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Training and test accuracy against epochs, one panel each; stars where early stopping would stop."""
    long = _by_split(df, "accuracy")
    fig = line_with_band(long, "epoch", "value", facet="split", title="Accuracy against epochs", y_label="accuracy")
    titles = [a.text for a in fig.layout.annotations]  # facet titles, left to right
    test_col = next((i + 1 for i, t in enumerate(titles) if SPLITS["test"] in t), 1)
    _stop_marks(fig, df, None, test_col)
    return fig.update_yaxes(range=[0, 1.02])


def loss_chart(df: pd.DataFrame, cfg) -> go.Figure:
    long = _by_split(df, "loss")
    return line_with_band(long, "epoch", "value", facet="split", title="Cross-entropy loss", y_label="loss")


def gap_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        df,
        "epoch",
        "generalisation_gap",
        title="Generalisation gap: training minus test accuracy",
        y_label="training − test accuracy",
    )
    fig.add_hline(y=0, line_dash="dot", line_color="#7f7f7f")
    return fig


def noise_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.dropna(subset=["noisy_fit"])
    if d.empty:
        return empty_figure("No mislabelled training images: set label noise above 0.")
    fig = line_with_band(
        d,
        "epoch",
        "noisy_fit",
        title="Memorised noise: mislabelled training images fitted to their wrong label",
        y_label="share of wrong labels fitted",
    )
    return fig.update_yaxes(range=[0, 1.02])


def final_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Final test accuracy per learner (mean and 95% interval over seeds), early stopping included."""
    g = df.groupby("learner", sort=False)["final_test_accuracy"].agg(["mean", "std", "count"]).reset_index()
    g["ci"] = 1.96 * g["std"].fillna(0.0) / g["count"].clip(lower=1) ** 0.5
    fig = px.bar(
        g,
        x="learner",
        y="mean",
        error_y="ci",
        color="learner",
        color_discrete_map=color_map(g["learner"]),
        labels={"mean": "final test accuracy", "learner": ""},
    )
    lo = max(0.0, float((g["mean"] - g["ci"]).min()) - 0.1)
    fig.update_yaxes(range=[lo, 1.0])
    return style(fig.update_layout(showlegend=False), "Final test accuracy (early stopping: at its epoch)")


def sweep_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df[df["sweep"] == cfg.sweep] if cfg.sweep != "none" else df.iloc[0:0]
    if d.empty:
        return empty_figure("Choose a sweep (width or training set size) to train over sizes.")
    x = "hidden_width" if cfg.sweep == "width" else "n_train"
    long = pd.concat(
        [
            d.assign(curve=d["learner"] + ", training", value=d["final_train_accuracy"]),
            d.assign(curve=d["learner"] + ", test", value=d["final_test_accuracy"]),
        ],
        ignore_index=True,
    )
    fig = line_with_band(
        long, x, "value", color="curve", title=f"Final accuracy against {cfg.sweep}", y_label="accuracy", log_x=True
    )
    fig.update_xaxes(title="hidden width (units)" if x == "hidden_width" else "training images")
    return fig.update_yaxes(range=[0, 1.02])


def sweep_loss_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Final test loss against the swept size: where double descent, if any, shows first."""
    d = df[df["sweep"] == cfg.sweep] if cfg.sweep != "none" else df.iloc[0:0]
    if d.empty:
        return empty_figure("Choose a sweep (width or training set size) to train over sizes.")
    x = "hidden_width" if cfg.sweep == "width" else "n_train"
    fig = line_with_band(
        d, x, "final_test_loss", title=f"Final test loss against {cfg.sweep}", y_label="test loss", log_x=True
    )
    return fig.update_xaxes(title="hidden width (units)" if x == "hidden_width" else "training images")


# --------------------------------------------------------------------------- the timeline

OUTCOMES = {  # a watched image's prediction -> (badge colour, legend entry)
    "true": ("#2ca02c", "predicts the true class"),
    "memorised": ("#d62728", "predicts the wrong label it was trained on (memorised)"),
    "other": ("#ff7f0e", "predicts another class"),
}
PER_ROW = 5  # watched images per row of a panel
PITCH_X, PITCH_Y, BLOCK_GAP = SIDE + 5, SIDE + 1, 2  # pixels per tile with its badge; gap between the two sets


def _outcomes(df: pd.DataFrame) -> np.ndarray:
    """Per row: 'true' (predicts the true class), 'memorised' (a training image's wrong label) or 'other'."""
    hit, wrong = df["predicted"] == df["true_label"], (df["predicted"] == df["label"]) & (df["set"] == "train")
    return np.where(hit, "true", np.where(wrong, "memorised", "other"))


def _tiles(first: pd.DataFrame) -> pd.DataFrame:
    """Where each watched image sits in a panel: training images on the top rows, test images below."""
    out = first[["set", "image", "label", "true_label"]].reset_index(drop=True)
    k = out.groupby("set", sort=False).cumcount().to_numpy()
    test = (out["set"] == "test").to_numpy()
    block = test * (-(-int((~test).sum()) // PER_ROW))  # test images start below the training rows
    out["r0"] = (block + k // PER_ROW) * PITCH_Y + test * BLOCK_GAP
    out["c0"] = (k % PER_ROW) * PITCH_X
    what = np.where(test, "test image", "training image")
    out["about"] = [
        f"{a} {i}: a {t}, labelled {lab}" for a, i, t, lab in zip(what, out["image"], out["true_label"], out["label"])
    ]
    return out


def _digits_picture(tiles: pd.DataFrame, cfg, seed: int) -> np.ndarray:
    """The watched digits drawn at their tiles (NaN around them); blank tiles where the config does not
    reproduce the table's labels."""
    x_tr, y_tr, _, _, _, x_te, y_te = seed_split(seed, cfg.n_train, cfg.n_val, cfg.n_test, cfg.label_noise)
    pic = np.full((int(tiles["r0"].max()) + SIDE, int(tiles["c0"].max()) + PITCH_X), np.nan)
    for t in tiles.itertuples():
        x, y = (x_tr, y_tr) if t.set == "train" else (x_te, y_te)
        same = t.image < len(y) and y[t.image] == t.label
        pic[t.r0 : t.r0 + SIDE, t.c0 : t.c0 + SIDE] = x[t.image].reshape(SIDE, SIDE) if same else 0.0
    return pic


def _badges(predicted: np.ndarray, outcome: np.ndarray, train: np.ndarray) -> list[dict]:
    """One learner's predictions at one epoch (the parts a frame changes): the badges' classes and colours,
    and the counts under the panel."""
    fitted, right = int((outcome[train] == "memorised").sum()), int((outcome[~train] == "true").sum())
    fits = f"wrong labels fitted {fitted}/{int(train.sum())}" if train.any() else "no wrong labels (noise 0)"
    counts = f"{fits}<br>test right {right}/{int((~train).sum())}"
    colours = [OUTCOMES[o][0] for o in outcome]
    return [
        dict(type="scatter", text=[str(p) for p in predicted], marker=dict(color=colours)),
        dict(type="scatter", text=[counts]),
    ]


def _badge_traces(tiles: pd.DataFrame, name: str, moving: list[dict]) -> list[go.Scatter]:
    """A learner's two changing traces in full: badges beside the images, counts under them."""
    badges, counts = moving
    bottom = int(tiles["r0"].max()) + SIDE + 3
    return [
        go.Scatter(
            x=tiles["c0"] + SIDE + 1.5,
            y=tiles["r0"] + 1.5,
            mode="markers+text",
            text=badges["text"],
            textfont=dict(color="white", size=11),
            marker=dict(symbol="square", size=16, color=badges["marker"]["color"]),
            customdata=tiles["about"],
            hovertemplate=f"%{{customdata}}<br>{name} predicts %{{text}}<extra></extra>",
            showlegend=False,
        ),
        go.Scatter(
            x=[PER_ROW * PITCH_X / 2 - 2],
            y=[bottom],
            mode="text",
            text=counts["text"],
            hoverinfo="skip",
            showlegend=False,
            textfont=dict(size=12),
        ),
    ]


def predictions_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: the first seed's watched images (top: training images with a wrong label; bottom: test
    images) with each network's prediction as a coloured badge, epoch by epoch (slider, play). Frames carry
    only what changes (the badges' classes and colours, the counts): plotly merges them into the traces."""
    if df.empty:
        return empty_figure("No predictions recorded.")
    learners = list(dict.fromkeys(df["learner"]))
    steps = sorted(int(e) for e in df["epoch"].unique())
    seed = int(df["seed"].iloc[0])
    tiles = _tiles(df[(df["learner"] == learners[0]) & (df["epoch"] == steps[0])])
    train = (tiles["set"] == "train").to_numpy()
    outcome, predicted = _outcomes(df), df["predicted"].to_numpy()
    rows = df.groupby(["learner", "epoch"], sort=False).indices  # (learner, epoch) -> row positions

    def moving(name: str, step: int) -> list[dict]:
        at = rows[name, step]
        return _badges(predicted[at], outcome[at], train)

    pic = _digits_picture(tiles, cfg, seed)
    fig = make_subplots(rows=1, cols=len(learners), subplot_titles=learners, horizontal_spacing=0.02)
    for i, name in enumerate(learners):
        image = go.Heatmap(z=pic, zmin=0, zmax=1, colorscale=GREYS, showscale=False, hoverinfo="skip")
        fig.add_trace(image, row=1, col=i + 1)
        for tr in _badge_traces(tiles, name, moving(name, steps[-1])):
            fig.add_trace(tr, row=1, col=i + 1)
        square_pixels(fig, 1, i + 1)
    changing = [j for j, tr in enumerate(fig.data) if tr.type == "scatter"]
    frames = [
        dict(name=str(s), data=[tr for name in learners for tr in moving(name, s)], traces=changing) for s in steps
    ]
    for colour, entry in OUTCOMES.values():
        marker = dict(symbol="square", size=12, color=colour)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=marker, name=entry))
    h, w = pic.shape
    fig.update_xaxes(range=[-0.5, w - 0.5], visible=False)
    fig.update_yaxes(range=[h + 8.5, -0.5], visible=False)  # row 0 on top, room for the counts below
    fig.update_layout(height=360, **controls(steps, "epoch"))
    styled = style(fig, f"What each network predicts for the same images, epoch by epoch (seed {seed})")
    styled.update_layout(margin=dict(b=110))
    return with_frames(styled, frames)
