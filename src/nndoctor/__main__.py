from nndoctor.cli import entry_point

entry_point()
