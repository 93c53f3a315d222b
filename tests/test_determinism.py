"""Same config, same seed: identical CSV bytes (timing tables excepted: they hold wall-clock seconds)."""

from __future__ import annotations

from conftest import default_tables

from brainsim.export import TIMING_TABLES, csv_bytes


def test_same_config_same_bytes(experiment):
    a, b = default_tables(experiment.name), experiment.run(experiment.config())  # the shared run and a fresh one
    assert a.keys() == b.keys() and a
    for table in a:
        if table not in TIMING_TABLES:
            assert csv_bytes(a[table]) == csv_bytes(b[table]), f"{experiment.name}/{table} is not reproducible"


def test_seed_changes_results(experiment):
    """The seed matters: a different seed gives different numbers somewhere."""
    assert experiment.config().seed == 0
    a = default_tables(experiment.name)
    b = experiment.run(experiment.config(seed=1))
    assert any(csv_bytes(a[t]) != csv_bytes(b[t]) for t in a if t not in TIMING_TABLES)


def test_tables_are_tidy(experiment):
    tables = default_tables(experiment.name)
    for name, df in tables.items():
        assert len(df.columns) == len(set(df.columns)), f"{experiment.name}/{name} repeats a column"
        assert all(isinstance(c, str) and c == c.strip() for c in df.columns)
    for chart in experiment.charts:
        assert chart.table in tables, f"chart '{chart.title}' needs missing table '{chart.table}'"
        fig = chart.build(tables[chart.table], experiment.config())
        assert len(fig.data) > 0, f"chart '{chart.title}' draws nothing"
