"""The only streamlit-aware part of brainsim: widgets from config fields, links and config uploads,
cached runs with progress, charts and downloads.

`experiment_pages()` gives app.py one st.Page per registered experiment, whose body is
`experiment_page(name)`; `global_controls()` draws the seed and device on every page.
"""

from brainsim.ui.page import experiment_page, experiment_pages, run_with_progress
from brainsim.ui.widgets import global_controls, global_values, widget

__all__ = ["experiment_page", "experiment_pages", "global_controls", "global_values", "run_with_progress", "widget"]
