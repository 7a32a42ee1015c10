"""TensorBoard export, read back with TensorBoard's own event reader (skips without the extra)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from report_fixtures import LAYERS, make_findings, make_trace, write_record

from nndoctor.cli import main as cli_main
from nndoctor.errors import BadInput
from nndoctor.report.tensorboard import INSTALL_HINT, export_tensorboard


def read_back(folder):
    pytest.importorskip(
        "tensorboard", reason='the TensorBoard extra is not installed (pip install "nndoctor[tensorboard]")'
    )
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    return acc


def test_scalars_histograms_and_findings_read_back(tmp_path):
    pytest.importorskip("tensorboard")
    trace = make_trace(examine=False)
    folder = export_tensorboard(trace.view(), tmp_path / "tb", findings=make_findings())
    acc = read_back(folder)
    tags = acc.Tags()
    view = trace.view()
    assert {
        "loss",
        "val_loss",
        "grad_norm/optimizer",
        f"param_grad_norm/{LAYERS[1]}.weight",
        "update_ratio/model.fc3.bias",
        f"dead_fraction/{LAYERS[1]}",
    } <= set(tags["scalars"])
    loss = acc.Scalars("loss")
    assert [e.step for e in loss] == view.loss.steps.tolist()
    np.testing.assert_allclose([e.value for e in loss], view.loss.values.astype(np.float32), rtol=1e-6)
    hist = acc.Histograms(f"weights/{LAYERS[1]}.weight")
    assert [h.step for h in hist] == [0, 300]
    start = view.events("weight_histogram")[0].data["layers"][f"{LAYERS[1]}.weight"]
    assert hist[0].histogram_value.num == 500
    assert list(hist[0].histogram_value.bucket) == [float(c) for c in start["counts"]]
    text = acc.Tensors("nndoctor/findings/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "nonfinite-loss" in text and "dead-relu" in text


def test_report_exports_a_record_into_a_folder_per_run(tmp_path, capsys):
    pytest.importorskip("tensorboard")
    record = write_record(tmp_path / "20260101-000000-train")
    tb = tmp_path / "tb"
    for _ in range(2):  # exporting again replaces the earlier export
        assert cli_main(["report", "--tensorboard", str(tb), str(record)]) == 0
    events = list((tb / record.name).glob("events.out.tfevents.*"))
    assert len(events) == 1
    assert "weights/model.fc1.weight" in read_back(tb / record.name).Tags()["histograms"]
    assert f"wrote {tb / record.name}" in capsys.readouterr().err


def test_without_tensorboard_the_export_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if the extra were missing
    with pytest.raises(BadInput, match="pip install"):
        export_tensorboard(make_trace(examine=False).view(), tmp_path / "tb")
    record = write_record(tmp_path / "run")
    assert cli_main(["report", "--tensorboard", str(tmp_path / "tb"), str(record)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"nndoctor: error: {INSTALL_HINT}"
