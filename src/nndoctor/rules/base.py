"""The base class of every rule.

A rule is a pure function of a frozen :class:`~nndoctor.trace.TraceView`: it returns early while
there is too little data, then makes a few plain comparisons. No hooks, no I/O, no mutation.
Its docstring has three headings, *What it detects*, *Why it matters* and *Fix*, from which the
docs are generated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from nndoctor.findings import Finding, Severity
from nndoctor.trace import TraceView


class Rule:
    """Base class: set the class attributes, implement :meth:`check`."""

    id: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    title: ClassVar[str] = ""
    #: Names of the quantities (see :mod:`nndoctor.quantities`) this rule reads.
    requires: ClassVar[frozenset[str]] = frozenset()
    #: False for rules that only ``examine`` can feed (active experiments).
    live: ClassVar[bool] = True
    #: True for findings about the state of the run (a plateau, tiny updates, collapsed outputs,
    #: units dead for now) rather than about something that happened (a NaN, a spike, a wrong
    #: call): when the check at the end of the run no longer makes a live finding of the rule,
    #: the run outgrew it, and the finding is withdrawn from the findings (listed as resolved).
    retractable: ClassVar[bool] = False

    def check(self, view: TraceView) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        message: str,
        fix: str,
        *,
        where: str | None = None,
        step: int | None = None,
        evidence: dict[str, Any] | None = None,
        severity: Severity | None = None,
        title: str | None = None,
    ) -> Finding:
        """Build a finding of this rule; the message ends with how to silence it."""
        return Finding(
            id=self.id,
            severity=severity or self.severity,
            title=title or self.title,
            message=message,
            fix=fix,
            where=where,
            step=step,
            evidence=evidence or {},
        )
