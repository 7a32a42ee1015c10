"""``nndoctor run [--json F] [--html F] [--log-dir D] SCRIPT [ARGS...]``"""

from __future__ import annotations

import argparse
from pathlib import Path

from nndoctor.commands._common import add_output_options, write_outputs
from nndoctor.trace.record import DEFAULT_LOG_DIR

HELP = "run an unmodified training script and watch it"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output_options(p)
    p.add_argument("--log-dir", default=DEFAULT_LOG_DIR, help=f"where run records go (default: {DEFAULT_LOG_DIR})")
    p.add_argument("--no-record", action="store_true", help="keep no run record on disk")
    p.add_argument("script", help="the Python script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")


def main(args: argparse.Namespace) -> int:
    from nndoctor.monitor.runner import run_script
    from nndoctor.report.terminal import make_console, print_finding, print_summary

    console = make_console()
    script_args = list(args.args)
    if script_args[:1] == ["--"]:
        script_args = script_args[1:]
    result = run_script(
        args.script,
        script_args,
        log_dir=None if args.no_record else args.log_dir,
        ignore=args.ignore,
        on_finding=lambda f: print_finding(console, f),
    )
    print_summary(console, result.findings, details=False, headline=f"nndoctor: {Path(args.script).name}")
    if result.record_dir is not None:
        console.print(f"[dim]run record: {result.record_dir}  (re-render: nndoctor report {result.record_dir})[/dim]")
    write_outputs(args, result.findings, title=f"nndoctor run {args.script}", record_dir=result.record_dir)
    return result.exit_code
