"""batch-dependence (live): a recurrent or attention layer that reads the batch as time is found; right layouts are not."""

from __future__ import annotations

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.model.rnn_batch_axis import RnnBatchAxis
from nndoctor.trace import Trace
from nndoctor.trace.record import load_record


def test_an_lstm_without_batch_first_fed_batch_major_input_is_found():
    # (64, 40, 1) batches into nn.LSTM(1, 32): 64 samples read as time steps, 40 steps as sequences
    result = run_zoo("buggy/batch-dependence_lstm_without_batch_first.py")
    (f,) = [f for f in result.findings if f.id == "batch-dependence"]
    assert f.severity is Severity.ERROR and f.where == "model.lstm"
    assert f.evidence["input_shape"] == [64, 40, 1] and f.evidence["batch_size"] == 64
    assert "batch_first=True" in f.fix


def _check(shape, batch_first, batch=32, calls=3):
    trace = Trace()
    trace.event("rnn_input", 0, module="model.rnn", type="GRU", batch_first=batch_first, shape=shape)
    for i in range(calls):
        trace.event("loss_call", i, fn="cross_entropy", input_shape=[batch, 5], target_shape=[batch])
    return list(RnnBatchAxis().check(trace.view()))


def test_only_the_batch_on_the_time_axis_is_accused():
    assert len(_check([32, 20, 8], batch_first=False)) == 1  # batch-major input, time-major layer
    assert len(_check([20, 32, 8], batch_first=True)) == 1  # time-major input, batch-major layer
    assert _check([20, 32, 8], batch_first=False) == []  # (time, batch, features): right
    assert _check([32, 20, 8], batch_first=True) == []  # (batch, time, features) with batch_first: right
    assert _check([32, 32, 8], batch_first=False) == []  # as many steps as samples: cannot tell
    assert _check([32, 20, 8], batch_first=False, batch=640) == []  # a loss over every time step
    assert _check([32, 20, 8], batch_first=False, calls=1) == []  # one loss call is not enough


def test_healthy_recurrent_runs_are_not_accused(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "batch-dependence"], name


def test_a_transformer_without_batch_first_fed_batch_major_input_is_found_once():
    # nn.TransformerEncoderLayer(d, 4, 64) in a 2-layer TransformerEncoder, fed (64, 24, 32)
    result = run_zoo("buggy/batch-dependence_transformer_without_batch_first.py")
    (f,) = [f for f in result.findings if f.id == "batch-dependence"]  # one for the stack, not one per layer
    assert f.where == "model.enc.layers.0" and f.evidence["type"] == "TransformerEncoderLayer"
    assert f.evidence["input_shape"] == [64, 24, 32] and f.evidence["batch_size"] == 64
    assert "attention runs across the 64 samples" in f.message
    assert "nn.TransformerEncoderLayer(d_model, nhead, batch_first=True)" in f.fix


def test_attention_fed_sequence_first_is_measured_and_passes(tmp_path):
    result = run_zoo("clean/attention_sequence_first_pooling.py", log_dir=tmp_path)
    assert not [f for f in result.findings if f.id == "batch-dependence"]
    events = load_record(result.record_dir).trace.view().events("rnn_input")
    seen = {(e.data["type"], e.data["batch_first"], tuple(e.data["shape"])) for e in events}
    assert ("MultiheadAttention", False, (16, 64, 32)) in seen  # (the layer's inner attention is not recorded)
    assert ("TransformerEncoderLayer", False, (16, 64, 32)) in seen
    assert not [e for e in events if e.data["module"].endswith("self_attn")]


def test_a_transformer_layer_built_batch_first_is_read_as_such():
    from torch import nn

    from nndoctor.quantities.rnn_layout import _batch_first

    assert _batch_first(nn.TransformerEncoderLayer(8, 2, batch_first=True)) is True
    assert _batch_first(nn.TransformerEncoderLayer(8, 2)) is False
    assert _batch_first(nn.GRU(4, 4, batch_first=True)) is True
