"""The compiled approval of a transition: who votes and how many votes it needs.

`approvers` is one group (`{"role": R}` or `{"field": F}`) or a list of groups that must each
approve (commercial and finance together); the workflow reads it in engine/workflow/approvals.py.
Re-exported by model.py, of which it is a part.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApproverGroup:
    """One group of an approval that needs several at once: a role's holders or the users a
    field names, with the votes it needs of its own members (`quorum`, "any" by default)."""

    role: str | None
    field: str | None
    quorum: str | int = "any"


@dataclass(frozen=True)
class Approval:
    quorum: str | int
    approvers_role: str | None
    approvers_field: str | None
    # `approvers` as a list: every group votes, `quorum` counts the groups satisfied
    groups: tuple[ApproverGroup, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role whose holders may vote (the one role, or one per group)."""
        listed = (self.approvers_role, *(g.role for g in self.groups))
        return tuple(r for r in listed if r)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every user or multi-user field of the record that names voters."""
        listed = (self.approvers_field, *(g.field for g in self.groups))
        return tuple(f for f in listed if f)
