"""Findings: what nndoctor concluded, with the numbers behind it and the fix.

A finding is the single currency between rules and reports: every report (terminal, JSON,
HTML) renders the same objects, so they can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

#: Where a symptom's message turns to its own guess at the cause ("Likely cause: ..."), made from
#: its evidence alone. When another finding of the run explains the symptom, that finding is the
#: cause: the guess is dropped and the symptom's fix points to the cause's (``causes.link_causes``).
GUESS_BREAK = "\n\nLikely cause: "


class Severity(str, Enum):
    """How badly a problem hurts training (CONTRACT.md: error, warning, info)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: the most severe first."""
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One diagnosis: what is wrong, where, when, the evidence and the fix."""

    id: str
    severity: Severity
    title: str
    message: str
    fix: str
    where: str | None = None
    step: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str | None]:
        """Identity for de-duplication: the same problem at the same place is reported once."""
        return (self.id, self.where)

    def to_dict(self) -> dict[str, Any]:
        """The CONTRACT.md JSON form."""
        return {
            "id": self.id,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "where": self.where,
            "step": self.step,
            "evidence": {k: _jsonable(v) for k, v in self.evidence.items()},
            "fix": self.fix,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            id=data["id"],
            severity=Severity(data["severity"]),
            title=data.get("title", data["id"]),
            message=data.get("message", ""),
            fix=data.get("fix", ""),
            where=data.get("where"),
            step=data.get("step"),
            evidence=dict(data.get("evidence") or {}),
        )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first; among equals, causes before the symptoms they explain (evidence
    ``likely_cause``, see :mod:`nndoctor.causes`), then in the order they happened."""
    return sorted(
        findings,
        key=lambda f: (f.severity.rank, "likely_cause" in f.evidence, f.step if f.step is not None else 1 << 60),
    )


def _jsonable(value: Any) -> Any:
    """Numbers rounded to 4 significant digits; numpy and non-finite values made JSON-safe."""
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    return str(value)
