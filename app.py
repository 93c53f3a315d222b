"""brainsim home page and navigation: `streamlit run app.py`."""

import os

import streamlit as st

from brainsim import ui

HERE = os.path.dirname(os.path.abspath(__file__))

# (page file, title, icon, question) in the order of DESIGN.md's page map.
PAGES = [
    ("pages/1_single_neuron.py", "Single neuron vs hidden layer", ":material/linear_scale:",
     "Why can one neuron learn AND/OR but not XOR, and what does a hidden layer change?"),
    ("pages/2_memory_reinforcement.py", "Memory reinforcement", ":material/neurology:",
     "How do repetition, spacing and reward turn a fast-fading trace into a lasting memory, in a synapse "
     "model vs a backprop network?"),
    ("pages/3_learning_rules_arena.py", "Learning-rules arena", ":material/sports_score:",
     "On the same task and budget, how do Hebbian, reward-modulated, feedback-alignment and backprop learners "
     "compare in accuracy, speed and samples needed?"),
    ("pages/4_associative_memory.py", "Associative memory", ":material/hub:",
     "How many patterns can a Hebbian (Hopfield) network store and recall from a noisy cue, vs a "
     "backprop-trained autoencoder?"),
    ("pages/5_working_memory.py", "Working memory", ":material/timer:",
     "What holds information across a delay: recurrent activity trained by backprop (RNN/GRU/LSTM), Hebbian "
     "fast weights, or nothing (feedforward)?"),
]


def available(path: str) -> bool:
    return os.path.exists(os.path.join(HERE, path))


def home() -> None:
    ui.global_controls()
    st.title("brainsim")
    st.markdown(
        "**Brain-like learning side by side with backprop.** Each page asks one question and answers it by "
        "running a brain-like learner (Hebbian, Oja, reward-modulated three-factor rules, short- and long-term "
        "synapses, Hopfield memory, fast weights) and a network trained by backpropagation in PyTorch on the "
        "same task, the same data, the same seed and the same budget."
    )
    st.subheader("Where to start")
    st.markdown("Each page answers one question. Open one, move the sliders in the sidebar, read the charts.")
    for path, title, icon, question in PAGES:
        left, right = st.columns([1, 3])
        if available(path):
            left.page_link(path, label=title, icon=icon)
        else:
            left.markdown(f"{title} *(coming)*")
        right.markdown(question)
    st.subheader("How to export and reproduce")
    st.markdown(
        "- Every chart has a **Download CSV** button below it: the file is exactly the tidy table the chart "
        "draws (one row per observation).\n"
        "- **Download config (JSON)** in the sidebar saves every setting; **Load config** restores them.\n"
        "- The address bar mirrors the current settings, so a copied link reproduces the run.\n"
        "- The same experiments run headless: `python -m brainsim run NAME --set field=value --out DIR` "
        "writes the same CSV bytes as the app's downloads (`python -m brainsim list` shows the names).\n"
        "- The seed and device in the sidebar apply to every page; the same config and seed give identical "
        "CSV bytes on CPU."
    )


st.set_page_config(page_title="brainsim", page_icon=":material/psychology:", layout="wide")
pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
pages += [st.Page(path, title=title, icon=icon) for path, title, icon, _ in PAGES if available(path)]
st.navigation(pages).run()
