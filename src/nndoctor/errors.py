"""Errors that mean the user gave nndoctor something it cannot use (exit status 2, one line)."""


class BadInput(Exception):
    """A missing file, a script that does not compile, a recipe without ``recipe()``..."""
