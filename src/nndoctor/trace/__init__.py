"""The time-series store: what was measured, step by step, in memory and on disk."""

from nndoctor.trace.record import RunRecord, load_record
from nndoctor.trace.store import Event, Series, Trace, TraceView

__all__ = ["Event", "RunRecord", "Series", "Trace", "TraceView", "load_record"]
