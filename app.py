"""brainsim home page and navigation: `streamlit run app.py`. Every experiment page comes from the registry."""

import streamlit as st

from brainsim import registry, ui


def home() -> None:
    ui.global_controls(home=True)
    st.title("brainsim")
    st.markdown(
        "**Brain-like learning side by side with backprop.** Each page asks one question and answers it by "
        "running a brain-like learner (Hebbian, Oja, reward-modulated three-factor rules, short- and long-term "
        "synapses, Hopfield memory, fast weights) and a network trained by backpropagation in PyTorch on the "
        "same task, the same data, the same seed and the same budget."
    )
    st.subheader("Where to start")
    st.markdown("Each page answers one question. Open one, move the sliders in the sidebar, read the charts.")
    for name, page in PAGES.items():
        card = registry.card(name)  # read from the experiment's source: the home page imports no experiment
        left, right = st.columns([1, 3])
        left.page_link(page, label=card.title, icon=card.icon)
        right.markdown(card.question)
    st.subheader("How to export and reproduce")
    st.markdown(
        "- Every chart has a **Download CSV** button below it: the file is exactly the tidy table the chart "
        "draws (one row per observation), named by experiment, table and a short hash of the settings "
        "(`arena_curves_3f2a9c.csv`). **Download all (zip)** holds every table plus `config.json`.\n"
        "- **Download config (JSON)** in the sidebar saves every setting; **Load config** restores them.\n"
        "- The address bar mirrors the current settings, so a copied link reproduces the run.\n"
        "- The same experiments run headless: `python -m brainsim run NAME --set field=value --out DIR` "
        "writes the same CSV bytes as the app's downloads (`python -m brainsim list` shows the names).\n"
        "- The seed and device in the sidebar apply to every page and stay set as you move between pages; the "
        "same config and seed give identical CSV bytes on CPU. Numbers are written to 6 significant digits.\n"
        "- **Sweeps** (in the navigation) runs any experiment over a grid of settings and seeds; "
        "`python -m brainsim sweep` runs larger ones, on this machine or a Ray cluster."
    )


def sweeps() -> None:
    """The Sweeps page; its modules (pandas, the sweep runner) are imported when it opens, not with the home page."""
    from brainsim.ui import sweep_page

    sweep_page.page()


st.set_page_config(page_title="brainsim", page_icon=":material/psychology:", layout="wide")
PAGES = ui.experiment_pages()
SWEEP = st.Page(sweeps, title="Sweeps", icon=":material/grid_on:", url_path="sweeps")
st.navigation([st.Page(home, title="Home", icon=":material/home:", default=True), *PAGES.values(), SWEEP]).run()
