"""The findings JSON of CONTRACT.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nndoctor.findings import Finding, sort_findings


def findings_document(findings: Sequence[Finding], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"findings": [f.to_dict() for f in sort_findings(list(findings))]}
    doc.update(extra)
    return doc


def write_json(path: str | Path, findings: Sequence[Finding], **extra: Any) -> None:
    Path(path).write_text(json.dumps(findings_document(findings, **extra), indent=2, default=str) + "\n")
