"""Figures of the receptive-field page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from brainsim.charts import (
    GREYS,
    LEGEND_WIDTH_PX,
    color_map,
    empty_figure,
    learner_grid,
    line_with_band,
    square_pixels,
    style,
    weight_heatmap,
)
from brainsim.timeline import animated

RDBU = get_colorscale("RdBu_r")  # weight_heatmap's scale spelled out: frames skip the validation that resolves names
SANGER_MIN_COS, OJA_MIN_COS, MAX_ANGLE_DEG = 0.95, 0.98, 10.0  # the claims the tests hold the learners to


def _first_seed(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["seed"] == df["seed"].min()] if len(df) else df


def mosaic(part: pd.DataFrame, value: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """The images of one learner tiled into one picture, a NaN gap of one pixel between tiles, about
    square: (picture, tile number of every pixel, 0 in the gaps)."""
    keys = sorted(part[key].unique())
    h, w = int(part["row"].max()) + 1, int(part["col"].max()) + 1
    cols = math.ceil(math.sqrt(len(keys)))
    rows = math.ceil(len(keys) / cols)
    pic = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    tile = np.zeros(pic.shape, dtype=int)
    for i, k in enumerate(keys):
        one = part[part[key] == k]
        r0, c0 = (i // cols) * (h + 1), (i % cols) * (w + 1)
        pic[r0 + one["row"].to_numpy(), c0 + one["col"].to_numpy()] = one[value].to_numpy()
        tile[r0 : r0 + h, c0 : c0 + w] = k
    return pic, tile


def tiled(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, h, w) tiled like `mosaic`: (picture with NaN gaps, tile number 1..n of every pixel, 0 in gaps)."""
    n, h, w = images.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    pic = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    tile = np.zeros(pic.shape, dtype=int)
    for i, image in enumerate(images):
        r0, c0 = (i // cols) * (h + 1), (i % cols) * (w + 1)
        pic[r0 : r0 + h, c0 : c0 + w], tile[r0 : r0 + h, c0 : c0 + w] = image, i + 1
    return pic, tile


def _grid_layout(fig: go.Figure, panels: int, cols: int) -> go.Figure:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    rows = math.ceil(panels / cols)
    side = max(140, LEGEND_WIDTH_PX // cols)
    return fig.update_layout(height=rows * (side + 40))


def fields_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Every learner's first-layer weights (first seed) as a mosaic of images, each unit scaled by its
    largest |w| so all share one colour scale from −1 (blue) to +1 (red)."""
    df = _first_seed(df)
    if df.empty:
        return empty_figure("No receptive fields to draw.")
    learners = list(dict.fromkeys(df["learner"]))
    fig, _, cols = learner_grid(learners, 0.04, 0.08, max_cols=3)
    for i, learner in enumerate(learners):
        pic, tile = mosaic(df[df["learner"] == learner], "weight_scaled", "unit")
        heat = weight_heatmap(
            pic,
            limit=1.0,
            show_scale=i == 0,
            name=learner,
            hovertemplate="unit %{customdata}<br>w / max|w| = %{z:.2f}<extra>%{fullData.name}</extra>",
        )
        heat.update(customdata=tile, colorbar=dict(title="w / max|w|", len=0.6))
        fig.add_trace(heat, row=i // cols + 1, col=i % cols + 1)
        square_pixels(fig, i // cols + 1, i % cols + 1)
    _grid_layout(fig, len(learners), cols)
    return style(fig, "Receptive fields: each unit's weights as an image (first seed)")


def _snapshot_pictures(df: pd.DataFrame, learners: list[str]) -> dict:
    """(learner, epoch) -> its units tiled (picture, tile numbers), w divided by the learner's largest |w|."""
    h, w = int(df["row"].max()) + 1, int(df["col"].max()) + 1
    pictures = {}
    for name in learners:
        part = df[df["learner"] == name].sort_values(["epoch", "unit", "row", "col"])
        weights = part["weight"].to_numpy()
        stack = (weights / (float(np.abs(weights).max()) or 1.0)).reshape(-1, part["unit"].nunique(), h, w)
        for epoch, images in zip(sorted(part["epoch"].unique()), stack):
            pictures[name, int(epoch)] = tiled(images)
    return pictures


def fields_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: the first seed's receptive fields at every snapshot epoch (slider, play), each learner's
    units as a mosaic on one colour scale (w divided by the learner's largest |w| over its whole training,
    so growth shows and the picture does not jump); a learner whose training ended earlier holds its last
    fields."""
    if df.empty:
        return empty_figure("No timeline: choose Oja's, Sanger's, the competitive rule or the backprop MLP.")
    learners = list(dict.fromkeys(df["learner"]))
    ends = df.groupby("learner")["epoch"].max()
    steps = sorted(int(e) for e in df.loc[df["learner"] == ends.idxmax(), "epoch"].unique())  # the frames
    titles = {f"{name} ({ends[name]} epochs)": name for name in learners}
    pictures = _snapshot_pictures(df, learners)
    shapes = {name: pic.shape for (name, _), (pic, _) in pictures.items()}
    epochs = {name: sorted(e for n, e in pictures if n == name) for name in learners}

    def fields(title: str, step: int) -> list:
        name = titles[title]
        epoch = max(e for e in epochs[name] if e <= step)
        pic, tile = pictures[name, epoch]
        hover = f"{name}, epoch {epoch}, unit %{{customdata}}<br>w / max|w| = %{{z:.2f}}<extra></extra>"
        scale = dict(title="w / max|w|", len=0.6) if name == learners[0] else None
        return [
            dict(
                type="heatmap",
                z=pic,
                customdata=tile,
                zmin=-1.0,
                zmax=1.0,
                colorscale=RDBU,
                showscale=name == learners[0],
                colorbar=scale,
                hovertemplate=hover,
            )
        ]

    title = f"Receptive fields forming, epoch by epoch (seed {int(df['seed'].iloc[0])})"
    fig = animated(list(titles), steps, [fields], title=title, max_cols=4, height_per_row=300)
    cols = min(4, len(learners))
    for i, name in enumerate(learners):
        row, col = i // cols + 1, i % cols + 1
        square_pixels(fig, row, col)
        rows, cols_px = shapes[name]
        fig.update_xaxes(range=[-0.5, cols_px - 0.5], visible=False, row=row, col=col)
        fig.update_yaxes(range=[rows - 0.5, -0.5], visible=False, row=row, col=col)  # row 0 on top, fixed
    return fig


def maps_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """The chosen test image and the CNN's feature maps on it (first seed), each map scaled to its maximum."""
    df = _first_seed(df)
    if df.empty:
        return empty_figure("No feature maps: add the CNN to the learners.")
    panels = list(dict.fromkeys(df["panel"]))
    fig, _, cols = learner_grid(panels, 0.03, 0.1, max_cols=5)
    for i, panel in enumerate(panels):
        z = df[df["panel"] == panel].pivot(index="row", columns="col", values="value_scaled").to_numpy()
        heat = go.Heatmap(
            z=z, zmin=0, zmax=1, colorscale=GREYS, showscale=False, hovertemplate="%{z:.2f}<extra></extra>"
        )
        fig.add_trace(heat, row=i // cols + 1, col=i % cols + 1)
        square_pixels(fig, i // cols + 1, i % cols + 1)
    _grid_layout(fig, len(panels), cols)
    row = df.iloc[0]
    return style(fig, f"CNN feature maps of test image {row['image_index']} (a {row['label']}; black = strong)")


def alignment_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """|cos| of unit i with principal component i against epoch, mean and 95% band over seeds."""
    if df.empty:
        return empty_figure("No alignment to show: choose Oja's or Sanger's rule.")
    d = df.assign(curve=[f"{a} {u}" if a != "oja" else a for a, u in zip(df["learner"], df["unit"])])
    fig = line_with_band(d, "epoch", "abs_cos", color="curve", y_label="|cos| with component i")
    fig.add_hline(y=SANGER_MIN_COS, line_dash="dot", line_color="#7f7f7f", annotation_text="0.95")
    return style(fig.update_yaxes(range=[0, 1.02]), "Unit i against principal component i (scikit-learn PCA)")


def subspace_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """The largest principal angle between a learner's k units and the top-k principal subspace, per epoch."""
    if df.empty:
        return empty_figure("No subspace to compare: choose Sanger's rule or the autoencoder.")
    largest = df.groupby(["learner", "seed", "epoch"], sort=True)["degrees"].max().reset_index()
    fig = line_with_band(largest, "epoch", "degrees", y_label="largest principal angle (°)")
    fig.add_hline(y=MAX_ANGLE_DEG, line_dash="dot", line_color="#7f7f7f", annotation_text="10°")
    return style(fig.update_yaxes(range=[0, 92]), "Span of the k units against the top-k PCA subspace")


def probe_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Test accuracy of the same linear probe on each representation (bars: mean over seeds, whiskers:
    standard deviation), training accuracy as open diamonds."""
    if df.empty:
        return empty_figure("No representation to probe.")
    g = df.groupby("learner", sort=False).agg(
        test=("test_accuracy", "mean"),
        sd=("test_accuracy", "std"),
        train=("train_accuracy", "mean"),
        n=("n_features", "first"),
    )
    g = g.reset_index()
    names = [f"{a} ({n})" for a, n in zip(g["learner"], g["n"])]
    cmap = color_map(g["learner"])
    fig = go.Figure(
        go.Bar(
            x=names,
            y=g["test"],
            error_y=dict(type="data", array=g["sd"].fillna(0.0)),
            marker_color=[cmap[a] for a in g["learner"]],
            name="test accuracy",
            hovertemplate="%{x}: %{y:.3f}<extra>test</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=names,
            y=g["train"],
            mode="markers",
            marker=dict(symbol="diamond-open", size=11, color="#333333"),
            name="training accuracy",
        )
    )
    fig.update_yaxes(range=[0, 1.03], title="accuracy of a linear probe")
    fig.update_xaxes(title="representation (features)")
    return style(fig, "What each representation is good for: a linear probe on the labels")


def training_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Training loss per epoch of the backprop learners (cross-entropy; the autoencoder's squared error)."""
    if df.empty:
        return empty_figure("No backprop learner chosen.")
    fig = line_with_band(df.assign(net=df["learner"]), "epoch", "loss", facet="net", y_label="training loss")
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1].removeprefix("net ").removeprefix("Net ")))
    fig.update_yaxes(matches=None, showticklabels=True)
    return style(fig, "Training loss of the backprop learners")
