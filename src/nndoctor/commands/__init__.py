"""One module per ``nndoctor`` subcommand. Each defines ``HELP``, ``add_arguments(parser)`` and
``main(args) -> int``; ``nndoctor.cli`` lists them in ``COMMANDS``."""
