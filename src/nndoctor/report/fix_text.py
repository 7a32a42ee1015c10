"""A finding's fix is prose with fenced code blocks (```...```); every report shows both kinds.

A fix may hold several blocks (a rule appends a note with its own example to the usual fix), so
the reports split the whole text, not just at its first fence.
"""

from __future__ import annotations

#: Language tags a block may open with (```python): dropped, the reports highlight Python.
LANGUAGE_TAGS = ("python\n", "py\n", "bash\n")


def fix_parts(fix: str) -> list[tuple[str, bool]]:
    """The fix's parts in order, each ``(text, is_code)``, blank parts left out: prose stripped,
    code without its fence, its language tag and the blank lines around it."""
    parts: list[tuple[str, bool]] = []
    for i, part in enumerate(fix.split("```")):
        if i % 2:
            code = part.strip("\n")
            if code.startswith(LANGUAGE_TAGS):
                code = code.split("\n", 1)[1]
            if code.strip():
                parts.append((code.rstrip(), True))
        elif part.strip():
            parts.append((part.strip(), False))
    return parts
