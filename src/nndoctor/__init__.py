"""nndoctor: troubleshoots PyTorch training and says what is wrong, where, and how to fix it."""

from nndoctor.findings import Finding, Severity
from nndoctor.monitor.monitor import Monitor
from nndoctor.watch import Doctor, watch

__version__ = "0.1.0"

__all__ = ["Doctor", "Finding", "Monitor", "Severity", "__version__", "watch"]
