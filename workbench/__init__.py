"""recsys-workbench: learn recommender systems by running them.

Subpackages: ``data`` (Personalize-format loaders and validation), ``split``,
``recommenders``, ``metrics``, ``sim`` (simulated shop and event tracker),
``experiments`` (A/B tests, bandits, funnel economics), ``exam`` and ``plots``.
Heavy libraries (scikit-surprise, mlxtend, marimo) are imported lazily, so
``import workbench`` stays fast.
"""

from . import constants
from .errors import DatasetError, WorkbenchError

__version__ = "0.1.0"
__all__ = ["constants", "DatasetError", "WorkbenchError", "__version__"]
