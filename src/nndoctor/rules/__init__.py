"""Built-in rules, one per file, grouped by what they look at.

Importing a submodule registers its rule (see :mod:`nndoctor.registry`).
"""
