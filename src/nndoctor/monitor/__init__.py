"""The only code that touches PyTorch hooks: the monitor, its patches and the script runner."""

from nndoctor.monitor.monitor import Monitor

__all__ = ["Monitor"]
