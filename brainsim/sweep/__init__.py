"""Sweeps: one experiment over a grid of settings and many seeds, on this machine or a Ray cluster.

    grid.py      --grid/--random/--seeds -> the sweep's points, each a validated config (one sentence if not)
    store.py     one folder per finished point, keyed by a hash of its config JSON, written atomically
    backends.py  where points run: local worker processes (concurrent.futures) or Ray tasks
    runner.py    run the points not yet stored, store each as it finishes, combine the tables
    summary.py   one number per point from any numeric column (the Sweep page's line chart and heatmap)
    cli.py       `python -m brainsim sweep NAME ...`

Every point runs exactly what `python -m brainsim run` runs (Experiment.execute, export.csv_bytes), so a
point's CSV bytes equal that command's whichever backend ran it. Pure: no streamlit here.
"""
