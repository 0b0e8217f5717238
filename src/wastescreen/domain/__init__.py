"""Validated domain objects: proposals, registry labs and programs, outcomes of past proposals."""

from wastescreen.domain.outcome import ProposalOutcome
from wastescreen.domain.proposal import KPI, BudgetBreakdown, EquipmentItem, Proposal, Researcher
from wastescreen.domain.registry import Lab, LabEquipment, Program

__all__ = [
    "KPI",
    "BudgetBreakdown",
    "EquipmentItem",
    "Lab",
    "LabEquipment",
    "Program",
    "Proposal",
    "ProposalOutcome",
    "Researcher",
]
