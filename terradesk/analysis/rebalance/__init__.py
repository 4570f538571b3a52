"""Rebalance an alignment, or create one, on chosen metrics under hard constraints.

Qt-free: a GUI runs :func:`rebalance` on a worker thread with ``progress`` and
``cancel`` callbacks and shows the :class:`RebalanceResult` as a preview; accepting it
pushes ``terradesk.edit.reassign_units(project, *result.changes(project))`` (one undo
step).
"""

from terradesk.analysis.rebalance.create import CreatedPlan, create_territories
from terradesk.analysis.rebalance.graph import Adjacency, polsby_popper, unit_adjacency
from terradesk.analysis.rebalance.result import MetricTable, RebalanceResult
from terradesk.analysis.rebalance.run import rebalance
from terradesk.analysis.rebalance.spec import MetricGoal, ProgressInfo, RebalanceSpec
from terradesk.analysis.rebalance.weights import MetricError

__all__ = [
    "Adjacency", "CreatedPlan", "MetricError", "MetricGoal", "MetricTable", "ProgressInfo", "RebalanceResult",
    "RebalanceSpec", "create_territories", "polsby_popper", "rebalance", "unit_adjacency",
]
