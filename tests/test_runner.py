"""`nndoctor run` keeps the script's contract: argv, __name__, stdout, exit status, exceptions,
Ctrl-C, and a crash-safe record; bad input is one line and exit status 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ZOO, run_zoo
from nndoctor.trace import load_record

NNDOCTOR = [sys.executable, "-m", "nndoctor"]


def cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*NNDOCTOR, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_script_sees_its_own_argv_name_and_exit_status(capsys):
    result = run_zoo("misc/argv_exit.py", "3", "--epochs", "2")
    out = capsys.readouterr().out
    assert "argv: ['3', '--epochs', '2']" in out
    assert "name: __main__" in out
    assert result.exit_code == 3


def test_nndoctor_options_after_the_script_go_to_it_with_a_notice(capsys):
    # `nndoctor run train.py --json f.json`: the script gets --json (it may have one of its own);
    # nndoctor says where its own options go instead of silently writing no file.
    from nndoctor import cli as nndoctor_cli

    script = str(ZOO / "misc/argv_exit.py")
    code = nndoctor_cli.main(["run", "--no-record", "--no-status", script, "0", "--json", "f.json"])
    captured = capsys.readouterr()
    assert code == 0 and "argv: ['0', '--json', 'f.json']" in captured.out
    assert "--json comes after the script's name, so it goes to the script" in captured.err
    assert "nndoctor run --json ... argv_exit.py" in captured.err


def test_script_exception_passes_through_with_its_traceback(capsys):
    result = run_zoo("misc/raises.py")
    err = capsys.readouterr().err
    assert result.exit_code == 1
    assert "ValueError: the user's own bug" in err
    assert "in broken" in err
    assert "nndoctor/monitor" not in err  # the traceback starts at the user's script


def test_an_error_raised_through_a_wrapped_loss_shows_only_the_users_frames(capsys):
    # cross_entropy with a class index equal to the number of outputs raises inside the loss,
    # which nndoctor wraps: the traceback must read as if the script had run on its own.
    result = run_zoo("buggy/invalid-target_labels_from_one.py")
    err = capsys.readouterr().err
    assert result.exit_code == 1
    assert "invalid-target_labels_from_one.py" in err and "IndexError" in err
    assert "nndoctor" + os.sep not in err.split("Traceback", 1)[1]


def test_stdout_and_losses_identical_to_plain_python(tmp_path):
    script = ZOO / "clean" / "regression_diabetes.py"
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    watched = cli("run", "--json", str(tmp_path / "f.json"), "--log-dir", str(tmp_path), str(script))
    assert plain.returncode == watched.returncode == 0
    assert watched.stdout == plain.stdout  # the script prints its final validation loss
    assert (tmp_path / "f.json").is_file()


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda d: d / "missing.py", "no such script"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "syntax.py").write_text("def broken(:\n") and d / "syntax.py", "not a valid Python script"),
        (lambda d: (d / "blob.bin").write_bytes(b"\x00\x01\x02binary") and d / "blob.bin", "not a Python script"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, make_bad, message):
    proc = cli("run", "--no-record", str(make_bad(tmp_path)))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def _start_long_run(tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*NNDOCTOR, "run", "--log-dir", str(tmp_path), str(ZOO / "misc" / "long_training.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A suite started in the background (``pytest &``) ignores SIGINT, and so would the child:
        # Python keeps an inherited SIG_IGN, and the Ctrl-C test's signal would never arrive.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_step(proc: subprocess.Popen, step: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if line.strip() == f"step {step}":
            return
        if time.monotonic() > deadline:
            break
    proc.kill()
    pytest.fail(f"the script never reached step {step}")


def test_sigkill_leaves_a_readable_record_with_every_observed_step(tmp_path):
    proc = _start_long_run(tmp_path)
    _wait_for_step(proc, 40)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    (record_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    record = load_record(record_dir)
    assert not record.finished
    steps = record.trace.view().loss.steps
    # The script printed "step 40" after its 41st optimizer step, so steps 0..40 were all recorded.
    assert steps.max() >= 40
    assert set(range(41)) <= set(steps.tolist())
    report = cli("report", str(record_dir))
    assert report.returncode == 0, report.stderr
    assert "did not finish" in report.stderr


def test_ctrl_c_still_prints_the_summary(tmp_path):
    proc = _start_long_run(tmp_path)
    _wait_for_step(proc, 10)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (130, -signal.SIGINT)
    assert "KeyboardInterrupt" in err
    assert "nndoctor" in err and "long_training.py" in err  # the summary headline
    (record_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert load_record(record_dir).finished


def test_pytorch_warnings_still_name_the_users_line(tmp_path):
    """The loss wrapper must not become the location of PyTorch's own warnings."""
    script = tmp_path / "warns.py"
    script.write_text(
        "import torch\nimport torch.nn.functional as F\n"
        "x, y = torch.randn(8, 1, requires_grad=True), torch.randn(8)\n"
        "loss = F.mse_loss(x, y)  # the user's line 4\n"
        "loss.backward()\n"
    )
    result = cli("run", "--no-record", str(script))
    assert result.returncode == 0, result.stderr
    assert f"{script}:4: UserWarning: Using a target size" in result.stderr
    assert "patches.py" not in result.stderr


def test_a_scripted_model_is_watched_without_an_internal_error():
    # torch.jit.script models take no forward hooks: nndoctor must name them and watch their loss
    # and steps without a warning about its own hooks.
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_zoo("clean/jit_script_custom_loss_iris.py")
    assert result.exit_code == 0
    assert not [w for w in caught if "internal error" in str(w.message)], [str(w.message) for w in caught]


def test_a_record_folder_deleted_during_the_run_costs_a_warning_not_the_exit_status(tmp_path):
    # probe 18: something else cleaned the log folder mid-run; writing findings.json raised
    # FileNotFoundError, no summary was printed and a script that had succeeded exited 1.
    script = tmp_path / "train.py"
    script.write_text(
        "import shutil, sys, torch\n"
        "from torch import nn\n"
        "torch.manual_seed(0)\n"
        "model = nn.Linear(4, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "x, y = torch.randn(64, 4), torch.randn(64, 1)\n"
        "for step in range(30):\n"
        "    opt.zero_grad()\n"
        "    nn.functional.mse_loss(model(x), y).backward()\n"
        "    opt.step()\n"
        "    if step == 10:\n"
        "        shutil.rmtree(sys.argv[1])\n"
        "print('trained')\n"
    )
    logs = tmp_path / "logs"
    proc = cli("run", "--log-dir", str(logs), str(script), str(logs))
    assert proc.returncode == 0, proc.stderr
    assert "trained" in proc.stdout and "nndoctor: train.py" in proc.stdout + proc.stderr  # the summary
    assert "Traceback" not in proc.stderr
    assert "the run record could not keep its findings" in proc.stderr
