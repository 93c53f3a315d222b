from brainsim import ui

ui.experiment_page("working_memory")
