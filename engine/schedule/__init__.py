"""Schedules: the tasks of a module's Gantt view, their dependencies and the critical path.

`network` is pure arithmetic (forward and backward pass over finish-to-start links, cycle
safe); `gantt` reads the tasks a reader may see, in SQL and only the columns the view names;
`checks` refuses a save that would make the predecessors a circle; `progress` is the S-curve.
The package imports nothing itself, so the records service can call `checks` without a cycle.
"""
