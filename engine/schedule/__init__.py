"""Schedules: the tasks of a module's Gantt view, their dependencies and the critical path.

`network` is pure arithmetic (forward and backward pass over finish-to-start links, cycle
safe); `gantt` reads the tasks a reader may see, in SQL and only the columns the view names.
"""

from engine.schedule.gantt import GanttTask, read_gantt
from engine.schedule.network import Timing, critical_path, find_cycle

__all__ = ["GanttTask", "Timing", "critical_path", "find_cycle", "read_gantt"]
