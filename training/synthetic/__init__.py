"""Synthetic sample data: curated catalogue, generated projects, past events and a hidden-rule outcome history.

The hidden preference model (the oracle) is written down in data_samples/README.md.
"""

from training.synthetic.catalogue import load_catalogue
from training.synthetic.dataset import generate_dataset, write_document
from training.synthetic.events import generate_events
from training.synthetic.preferences import HiddenPreferenceModel
from training.synthetic.projects import generate_projects

__all__ = ["HiddenPreferenceModel", "generate_dataset", "generate_events", "generate_projects", "load_catalogue",
           "write_document"]
