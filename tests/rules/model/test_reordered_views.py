"""batch-dependence / scrambled-axes (live): a layer fed a view() that regroups axes where a transpose was meant."""

from __future__ import annotations

import torch

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.quantities.reordered_views import reordered_source
from nndoctor.rules.model._reordered import moving_call
from nndoctor.rules.model.reordered_batch import ReorderedBatch
from nndoctor.rules.model.scrambled_axes import ScrambledAxes
from nndoctor.trace import Trace


def test_a_time_major_lstm_fed_a_view_of_the_batch_is_found():
    # (64, 40, 2) batches, x.view(40, 64, 2) into nn.LSTM(2, 32): val accuracy stays at chance (0.47)
    result = run_zoo("buggy/batch-dependence_lstm_view_instead_of_transpose.py")
    (f,) = [f for f in result.findings if f.id == "batch-dependence"]
    assert f.severity is Severity.ERROR and f.where == "model.lstm"
    assert f.evidence["input_shape"] == [40, 64, 2] and f.evidence["source_shape"] == [64, 40, 2]
    assert f.evidence["source"] == "input" and "several of the 64 samples" in f.message
    assert "x = x.transpose(0, 1)" in f.fix
    assert "scrambled-axes" not in {g.id for g in result.findings}


def test_a_view_of_an_activation_inside_the_model_is_found():
    # tanh(proj(x)) of shape (64, 30, 24), .view(30, 64, -1) into a time-major GRU: val accuracy 0.59 (0.90 fixed)
    result = run_zoo("buggy/batch-dependence_gru_projection_view_time_major.py")
    (f,) = [f for f in result.findings if f.id == "batch-dependence"]
    assert f.where == "model.gru" and f.evidence["source"] == "activation"
    assert f.evidence["source_shape"] == [64, 30, 24] and f.evidence["input_shape"] == [30, 64, 24]


def test_channels_last_images_viewed_as_channels_first_are_found():
    # (B, 8, 8, 3) images, x.view(-1, 3, 8, 8) in the loop: val loss 0.131 against 0.064 with permute
    result = run_zoo("buggy/scrambled-axes_channels_last_images_view.py")
    (f,) = [f for f in result.findings if f.id == "scrambled-axes"]
    assert f.severity is Severity.WARNING and f.where == "model.0"
    assert f.evidence["source_shape"][1:] == [8, 8, 3] and f.evidence["input_shape"][1:] == [3, 8, 8]
    assert "x = x.permute(0, 3, 1, 2)" in f.fix
    assert "batch-dependence" not in {g.id for g in result.findings}


def test_the_twins_that_transpose_and_permute_are_not_accused():
    for name in ("clean/channels_last_images_permute.py", "clean/gru_time_major_after_projection_transpose.py"):
        result = run_zoo(name)
        assert not {f.id for f in result.findings} & {"batch-dependence", "scrambled-axes"}, name


def test_healthy_runs_are_not_accused_of_scrambled_axes(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "scrambled-axes"], name


def test_only_views_that_reorder_axis_lengths_are_reordered_sources():
    x = torch.randn(32, 20, 8)
    assert reordered_source(x.view(20, 32, 8), (x,)) is x
    assert reordered_source(x.view(20, 32, 8), (x.view(20, 32, 8)._base,)) is x  # through the view's base
    assert reordered_source(x.transpose(0, 1), (x,)) is None  # a transpose moves the axes
    assert reordered_source(x.transpose(0, 1).contiguous(), (x,)) is None  # a copy: other memory
    assert reordered_source(x.view(32, 160), (x,)) is None  # merging axes
    assert reordered_source(x.view(32, 20, 2, 4), (x,)) is None  # splitting one
    assert reordered_source(x.view(32, 1, 20, 8), (x,)) is None  # adding an axis of length 1
    assert reordered_source(x[:16].view(20, 16, 8), (x,)) is None  # not the same size
    signal = torch.randn(32, 50, 1)
    assert reordered_source(signal.view(32, 1, 50), (signal,)) is None  # (B, L, 1) -> (B, 1, L): no data moves
    flat = torch.randn(32, 64)
    assert reordered_source(flat.view(32, 1, 8, 8), (flat,)) is None
    later = torch.randn(2, 32, 20, 8)[1]  # same lengths, but starts elsewhere in memory than x
    assert reordered_source(later.view(20, 32, 8), (x,)) is None


def _findings(rule, shape, source_shape):
    trace = Trace()
    trace.event(
        "reordered_view", 3, module="model.layer", type="Conv2d", shape=shape, source_shape=source_shape, source="input"
    )
    return list(rule.check(trace.view()))


def test_mixing_samples_and_scrambling_a_sample_are_told_apart():
    assert len(_findings(ReorderedBatch(), [20, 32, 8], [32, 20, 8])) == 1
    assert _findings(ScrambledAxes(), [20, 32, 8], [32, 20, 8]) == []
    assert _findings(ReorderedBatch(), [32, 3, 8, 8], [32, 8, 8, 3]) == []
    (f,) = _findings(ScrambledAxes(), [32, 3, 8, 8], [32, 8, 8, 3])
    assert f.evidence["suggested_call"] == "permute(0, 3, 1, 2)"


def test_the_suggested_call_moves_the_axes_the_view_regrouped():
    assert moving_call([32, 20, 8], [20, 32, 8]) == "transpose(0, 1)"
    assert moving_call([32, 50, 3], [32, 3, 50]) == "transpose(1, 2)"
    assert moving_call([32, 8, 8, 3], [32, 3, 8, 8]) == "permute(0, 3, 1, 2)"  # square images: keep H before W
    assert moving_call([32, 50], [50, 1, 32]) == "permute(...)"  # lengths of 1 added: no single call to name
