"""Thin adapters that start and stop the same monitor from other frameworks' callbacks.

They import their framework lazily: ``nndoctor.integrations.lightning`` needs ``lightning`` (or
``pytorch_lightning``), ``nndoctor.integrations.transformers`` needs ``transformers``.
"""
