from brainsim import ui

ui.experiment_page("memory")
