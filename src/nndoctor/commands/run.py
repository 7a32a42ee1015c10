"""``nndoctor run [--json F] [--html F] [--log-dir D] SCRIPT [ARGS...]``"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.text import Text

from nndoctor.commands._common import add_output_options, write_outputs
from nndoctor.errors import BadInput
from nndoctor.trace.record import DEFAULT_LOG_DIR

HELP = "run an unmodified training script and watch it"
#: nndoctor's own options: after the script's name they are the script's arguments.
OWN_OPTIONS = ("--json", "--html", "--tensorboard", "--ignore", "--log-dir", "--no-record", "--no-status")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output_options(p)
    p.add_argument("--log-dir", default=DEFAULT_LOG_DIR, help=f"where run records go (default: {DEFAULT_LOG_DIR})")
    p.add_argument("--no-record", action="store_true", help="keep no run record on disk")
    p.add_argument("--no-status", action="store_true", help="no live status line while the script trains")
    p.add_argument("script", help="the Python script to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")


def main(args: argparse.Namespace) -> int:
    from nndoctor.findings import sort_findings
    from nndoctor.monitor.runner import run_script
    from nndoctor.report.live import LiveStatus
    from nndoctor.report.terminal import make_console, print_finding, print_summary

    console = make_console()
    script_args = list(args.args)
    if script_args[:1] == ["--"]:
        script_args = script_args[1:]
    misplaced = [a for a in script_args if a.split("=", 1)[0] in OWN_OPTIONS]
    if misplaced:  # the script may take a --json of its own; the user may also have meant nndoctor's
        console.print(
            Text(
                f"nndoctor: {' '.join(misplaced)} comes after the script's name, so it goes to the script; "
                f"for nndoctor, put it first: nndoctor run {misplaced[0]} ... {Path(args.script).name}",
                style="yellow",
            ),
            soft_wrap=True,
        )
    quiet = getattr(args, "no_status", False)  # ``nndoctor demo`` builds these arguments by hand
    live = LiveStatus(console, interactive=False, plain_every=0) if quiet else LiveStatus(console)
    watched: dict = {}

    def on_start(monitor, record_dir):
        watched["monitor"] = monitor
        live.attach(monitor)
        live.start()

    try:
        result = run_script(
            args.script,
            script_args,
            log_dir=None if args.no_record else args.log_dir,
            ignore=args.ignore,
            on_finding=live.on_finding,
            on_start=on_start,
            on_script_end=live.stop,  # the status shows training: gone with the script's last line
        )
    finally:
        live.stop()
    shown = {f.key for f in live.findings}
    for f in sort_findings(result.findings):  # found at the end: shown in full once, like the live ones
        if f.key not in shown:
            print_finding(console, f)
    print_summary(
        console,
        result.findings,
        details=False,
        headline=f"nndoctor: {Path(args.script).name}",
        resolved=result.resolved,
    )
    if result.record_dir is not None:
        console.print(
            Text(f"run record: {result.record_dir}  (re-render: nndoctor report {result.record_dir})", style="dim"),
            soft_wrap=True,
        )
    monitor = watched.get("monitor")
    try:
        write_outputs(
            args,
            result.findings,
            title=f"nndoctor run {Path(args.script).name}",
            trace=monitor.trace if monitor is not None else None,
            record_dir=result.record_dir,
            resolved=result.resolved,
        )
    except BadInput as exc:  # the script's exit status stands; the report problem is one line
        console.print(Text(f"nndoctor: error: {exc}", style="red"), soft_wrap=True)
    return result.exit_code
