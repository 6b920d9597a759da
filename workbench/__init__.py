"""recsys-workbench: learn recommender systems by running them.

Data flows ``loader -> split -> recommender -> recommendations -> metrics -> plot``,
and the simulated shop drives the same recommenders through the same interface.

Subpackages and modules:

* ``data`` -- Amazon Personalize-format loaders, Avro schemas, validation, export
* ``split`` -- temporal, leave-last-N, random, stratified and Personalize-holdout splits
* ``recommenders`` -- every model behind one interface, Personalize-style filters, re-ranking
* ``metrics`` -- offline ranking and beyond-accuracy metrics, ``evaluate``, ``compare``
* ``experiments`` -- online KPIs, A/B tests, bandit regret, funnel economics
* ``sim`` -- the simulated footwear shop with drift, policies and ``run_scenario``
* ``personalize`` -- in-process event tracker and runtime with the real API shapes
* ``exam`` -- exam scenarios played as evidence, and the quiz
* ``plots``, ``ui``, ``glossary``, ``privacy``, ``ops``, ``preprocess``, ``features`` -- helpers for the chapters

Heavy libraries (scikit-surprise, mlxtend, scikit-learn, marimo) are imported on first use,
so ``import workbench`` stays fast.
"""

from . import constants
from .errors import DatasetError, WorkbenchError

__version__ = "0.1.0"
__all__ = ["constants", "DatasetError", "WorkbenchError", "__version__"]
