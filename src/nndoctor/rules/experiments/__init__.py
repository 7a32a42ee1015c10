"""Rules that judge what ``nndoctor examine``'s active experiments recorded (``live = False``).

Each rule reads the events one experiment wrote (see ``nndoctor.experiments``) and, where it
helps, what other experiments found, so a verdict combines signals before it accuses.
"""
