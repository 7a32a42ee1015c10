"""lr-too-low: tiny updates with a flat loss fire; warm-ups, converged and diverged runs do not."""

from __future__ import annotations

import pytest
from _gradient_runs import dump, found

from nndoctor.rules.loss.lr_too_low import LrTooLow
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,lr",
    [
        ("buggy/lr-too-low_sgd_mlp_digits.py", 1e-4),  # SGD + momentum
        ("buggy/lr-too-low_adam_gru_sequences.py", 1e-6),  # Adam on a GRU
        ("buggy/lr-too-low_sgd_cnn_digits.py", 1e-5),  # plain SGD on a CNN, a fine-tuning rate
    ],
)
def test_tiny_updates_and_a_flat_loss(script, lr):
    hits = found(script, "lr-too-low")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["lr"] == pytest.approx(lr)
    assert f.evidence["max_layer_update_ratio"] < 1e-4
    assert f.evidence["loss_improvement"] < 0.05
    assert 10 * lr < f.evidence["suggested_lr"] < 1e5 * lr
    assert "lr=" in f.fix


def test_reduce_on_plateau_with_the_wrong_mode_is_an_annealed_rate():
    # ReduceLROnPlateau(mode="max") stepped with the validation loss: cut 10x every other epoch
    (f,) = found("buggy/lr-too-low_reduce_on_plateau_mode_max.py", "lr-too-low")
    assert f.evidence["lr_peak"] == pytest.approx(0.01) and f.evidence["lr_decay_factor"] >= 100
    assert f.evidence["suggested_lr"] == pytest.approx(0.01)
    assert "mode='min'" in f.fix


def test_a_binding_gradient_clip_is_named():
    # clip_grad_norm_(max_norm=0.001) on SGD: every gradient rescaled to norm 1e-3
    (f,) = found("buggy/lr-too-low_clip_grad_norm_tiny.py", "lr-too-low")
    assert f.evidence["max_layer_update_ratio"] < 1e-4
    assert f.evidence["clipped_grad_norm"] == pytest.approx(1e-3, rel=0.01)
    assert "max_norm" in f.fix and "Try lr" not in f.message
    assert "suggested_lr" not in f.evidence  # (probe 9: a rate of 109 suggested next to the clipping fix)


def test_a_loss_divided_by_the_dataset_size_is_named():
    # loss = criterion(out, y) / len(X): gradients 1500x too small under SGD lr=0.1
    (f,) = found("buggy/lr-too-low_loss_divided_by_dataset_size.py", "lr-too-low")
    assert f.evidence["lr"] == pytest.approx(0.1) and f.evidence["loss_improvement"] < 0.05
    assert f.evidence["loss_scaled_down_by"] == pytest.approx(1500, rel=0.01)
    assert "backward()" in f.fix and "Try lr" not in f.message


def test_healthy_runs_do_not_fire(clean_results):
    # Includes a run that ends mid-warm-up and runs whose schedule decayed the rate after converging.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "lr-too-low"], name


def test_a_diverged_run_is_not_too_low():
    # After SGD lr=0.5 blew the loss up 1e5x, the dead network barely moves: not a timid rate.
    script = "buggy/lr-too-high_sgd_regression_diabetes.py"
    assert not found(script, "lr-too-low"), dump(script)


def _view(ratio, loss_end, lrs=None, steps=100):
    trace = Trace()
    trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 0.01}],
                shapes={"model.0.weight": [4, 4], "model.2.weight": [4, 4]})  # fmt: skip
    for step in range(steps):
        trace.scalar("loss", step, 2.0 + (loss_end - 2.0) * step / steps)
        if step % 10 == 0:
            trace.scalar("update_ratio", step, ratio, "model.0.weight")
            trace.scalar("update_ratio", step, ratio / 2, "model.2.weight")
            lr = lrs(step) if lrs else 0.01
            trace.scalar("lr", step, lr, "optimizer.group0")
    return trace.view(final=True)


def test_thresholds():
    assert len(list(LrTooLow().check(_view(1e-5, 1.99)))) == 1
    assert list(LrTooLow().check(_view(1e-5, 1.5))) == []  # the loss moves: slow, but learning
    assert list(LrTooLow().check(_view(1e-3, 1.99))) == []  # normal updates: something else is wrong


def test_a_schedule_that_annealed_the_rate_before_any_progress_is_named():
    """A per-epoch StepLR stepped every batch cut the rate 1e8x by step 30, before the loss had
    improved even 5% (found in a probe): the schedule is the cause, not a timid base rate, and
    the rate to go back to is the one before the cut (read as a timid rate, the suggestion was
    2.6e-52)."""
    (f,) = LrTooLow().check(_view(0.0, 1.99, lrs=lambda s: 0.01 * 0.5 ** (s // 1.2)))
    assert f.evidence["decayed_by_step"] <= 30 and f.evidence["lr_decay_factor"] >= 1e8
    assert f.evidence["suggested_lr"] == pytest.approx(0.01)
    assert "scheduler.step()" in f.fix


def test_still_warming_up():
    assert list(LrTooLow().check(_view(1e-5, 1.99, lrs=lambda s: 1e-5 * (s + 1)))) == []


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="ratio"):
        LrTooLow(ratio=0.5)


def test_a_scheduler_stepped_every_batch_anneals_the_rate_away():
    """StepLR(step_size=10, gamma=0.5) stepped per batch: the rate is 1e5x lower by mid-run and the
    loss stalls at 80% of ln(10); the loss did fall early, so only the stretch after the decay counts."""
    script = "buggy/lr-too-low_steplr_stepped_per_batch.py"
    hits = found(script, "lr-too-low")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["lr_decay_factor"] >= 100 and f.evidence["decayed_by_step"] < f.evidence["steps"] // 2
    assert f.evidence["loss_improvement_since_decay"] < 0.05 and f.evidence["share_of_reference_loss"] > 0.5
    assert f.evidence["suggested_lr"] == pytest.approx(1e-3)  # the rate before the schedule annealed it
    assert "scheduler.step()" in f.fix
    # the message gives the rate where the decay was found and where it ended, each with its step
    at = f.evidence["lr_at_decayed_step"]
    assert at <= f.evidence["lr_peak"] / 100
    assert f"(to {at:.2g}) by step {f.evidence['decayed_by_step']}" in f.message


def test_a_schedule_one_epoch_long_that_reaches_zero_is_named():
    """A warm-up and linear decay to 0 over len(loader) steps in a 10-epoch run: the rate is exactly
    0 from the end of the first epoch (val acc 0.569; 0.945 over the whole run). Found in probe 11,
    where the rate of 0 made the rule divide by zero (an internal error, the rule disabled)."""
    script = "buggy/lr-too-low_schedule_length_one_epoch.py"
    hits = found(script, "lr-too-low")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["lr"] == 0 and f.evidence["lr_at_decayed_step"] == 0
    assert "cut the rate to 0 by step" in f.message and "(the rate is 0)" in f.message
    assert "total_steps = len(loader) * epochs" in f.fix
    assert f.evidence["suggested_lr"] == pytest.approx(0.02)
    assert not found("clean/schedule_length_whole_run.py", "lr-too-low")


def test_a_warm_up_longer_than_the_run_is_named():
    # LambdaLR warm-up over 20000 steps in a 550-step run (copied from a big config): the rate ends at
    # 2.7% of Adam's 1e-3 and the loss at 95% of ln 10.
    script = "buggy/lr-too-low_warmup_longer_than_run.py"
    hits = found(script, "lr-too-low")
    assert len(hits) == 1, dump(script)
    ev = hits[0].evidence
    assert ev["lr_target"] == pytest.approx(1e-3) and ev["share_of_target"] < 0.05
    assert 15_000 < ev["estimated_warmup_steps"] < 25_000  # the configured 20000
    assert "warmup_steps" in hits[0].fix


def test_annealing_at_the_end_of_healthy_runs_is_not_accused(clean_results):
    # step decay, cosine, one-cycle and warm restarts in the clean zoo
    for name in ("logreg_step_decay_iris", "superconvergence_onecycle_bn", "warm_restarts_cnn", "resnet_bn_digits"):
        assert not [f for f in clean_results[name].findings if f.id == "lr-too-low"], name


def test_a_rate_collapsed_early_is_named_even_where_the_loss_is_already_low():
    """A per-epoch StepLR stepped every batch (a probe's regression): the rate is 1e4x down by
    step 30 of 600 and the loss freezes at 0.28 of the constant predictor's 1.0. A schedule that
    ends a run anneals late; one that decayed by step 500 of 600 at the same loss is left alone."""

    def view(decay_every):
        trace = Trace()
        trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 0.05}],
                    shapes={"model.0.weight": [4, 4]})  # fmt: skip
        for step in range(600):
            trace.scalar("loss", step, 0.28 + 0.7 * max(0.0, 1 - step / 20))
            if step % 10 == 0:
                lr = 0.05 * 0.5 ** (step // decay_every)
                trace.scalar("update_ratio", step, 1e-3 * lr / 0.05, "model.0.weight")
                trace.scalar("lr", step, lr, "optimizer.group0")
                trace.scalar("constant_baseline", step, 1.0, "mse_loss")
        return trace.view(final=True)

    (f,) = LrTooLow().check(view(decay_every=2))
    assert f.evidence["decayed_by_step"] <= 60 and f.evidence["share_of_reference_loss"] < 0.5
    assert "scheduler.step()" in f.fix
    assert not list(LrTooLow().check(view(decay_every=40)))  # cut late: the end of a schedule
