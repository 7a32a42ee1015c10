"""The monitor's safety contract: it never changes the user's run, and it leaves no trace.

- losses, weights, buffers and the RNG stream are bit-for-bit those of an unwatched run;
- an internal error becomes exactly one warning line and training goes on;
- every hook and patch is gone after ``stop()``;
- models get human names: the user's variable name, distinct names for two models.
"""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.optim import optimizer as optimizer_hooks

import nndoctor
from nndoctor.monitor.monitor import Monitor
from nndoctor.monitor.patches import LOSS_FUNCTIONS
from nndoctor.quantities import quantity_classes
from nndoctor.quantities.base import Quantity
from nndoctor.rules.base import Rule

STEPS = 60  # dense steps 0-4, then sampled every 10th: both kinds of step, and two eval phases


class Net(nn.Module):
    """Dropout draws from the global RNG; batch norm has running buffers: both must be untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.bn = nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(torch.relu(self.bn(self.fc1(x)))))


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, 10, generator=g)
    return x, (x[:, 0] > 0).long() + (x[:, 1] > 0).long()


def _train(
    net: nn.Module, opt: torch.optim.Optimizer, steps: int = STEPS, nan_at: int | None = None
) -> list[torch.Tensor]:
    """A loop with random batches (RNG), an eval pass every 25 steps, and optionally an overflow."""
    x, y = _data()
    losses = []
    for step in range(steps):
        net.train()
        idx = torch.randint(0, len(x), (32,))
        xb = x[idx]
        if step == nan_at:  # finite inputs and weights that overflow inside: the monitor replays the step
            with torch.no_grad():
                net.fc2.weight[0].fill_(3e38)
        opt.zero_grad()
        loss = F.cross_entropy(net(xb), y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.detach().clone())
        if step % 25 == 24:
            net.eval()
            with torch.no_grad():
                losses.append(F.cross_entropy(net(x[:64]), y[:64]))
    return losses


def _run(mode: str, nan_at: int | None = None) -> dict[str, object]:
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    monitor: Monitor | None = None
    if mode == "watch":
        monitor = nndoctor.watch(net, opt, live=False)
    elif mode == "discover":
        monitor = Monitor().start()
    try:
        losses = _train(net, opt, nan_at=nan_at)
    finally:
        if monitor is not None:
            monitor.stop()
    return {
        "losses": torch.stack(losses),
        "state": {k: v.clone() for k, v in net.state_dict().items()},
        "rng": torch.get_rng_state(),
        "monitor": monitor,
    }


def _bits(t: torch.Tensor) -> torch.Tensor:
    """The raw bits of a float tensor, so NaN == NaN and -0.0 != 0.0."""
    return t.contiguous().view(torch.int32) if t.dtype == torch.float32 else t


def _assert_identical(a: dict, b: dict) -> None:
    assert torch.equal(_bits(a["losses"]), _bits(b["losses"]))
    assert a["state"].keys() == b["state"].keys()
    for k in a["state"]:
        assert torch.equal(_bits(a["state"][k]), _bits(b["state"][k])), k
    assert torch.equal(a["rng"], b["rng"])


# ---------------------------------------------------------------------------- (a) no change to the run
@pytest.fixture(scope="module")
def bare() -> dict:
    return _run("bare")


@pytest.mark.parametrize("mode", ["watch", "discover"])
def test_losses_weights_and_rng_are_bit_identical(bare, mode):
    watched = _run(mode)
    _assert_identical(bare, watched)
    mon = watched["monitor"]
    assert mon.step == STEPS
    assert len(mon.trace.view().loss) == STEPS  # it did watch: one loss per step


def test_nan_replay_leaves_the_run_unchanged():
    """The one-off replay that localises a NaN runs forward and backward again: invisibly."""
    bare_run = _run("bare", nan_at=30)
    watched = _run("discover", nan_at=30)
    _assert_identical(bare_run, watched)
    events = watched["monitor"].trace.view().events("nonfinite")
    assert events and events[0].step == 30
    assert events[0].data.get("replayed") is True  # the replay ran (dropout, batch norm) and left no trace


def test_monitor_does_not_touch_gradients_between_backward_and_step():
    torch.manual_seed(0)
    net = Net()
    x, y = _data()
    with Monitor():
        F.cross_entropy(net(x[:32]), y[:32]).backward()
        grads = [p.grad.clone() for p in net.parameters()]
        torch.optim.SGD(net.parameters(), lr=0.1).step()
    torch.manual_seed(0)
    ref = Net()
    F.cross_entropy(ref(x[:32]), y[:32]).backward()
    for g, p in zip(grads, ref.parameters(), strict=True):
        assert torch.equal(g, p.grad)


# ---------------------------------------------------------------------------- (b) internal errors
class _Boom(Quantity):
    name = "test_boom"
    every_step = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self.calls = 0

    def on_before_step(self, optimizer):
        self.calls += 1
        raise ValueError("quantity exploded")


class _NeedsBoom(Rule):
    id = "test-needs-boom"
    requires = frozenset({"test_boom"})

    def check(self, view):
        return []


class _BrokenRule(Rule):
    id = "test-broken-rule"
    requires = frozenset({"loss"})

    def __init__(self) -> None:
        self.calls = 0

    def check(self, view):
        self.calls += 1
        raise KeyError("rule exploded")


@pytest.fixture
def boom_quantity(monkeypatch):
    from nndoctor import quantities

    quantity_classes()  # load the built-ins first, then add ours for this test only
    monkeypatch.setitem(quantities._QUANTITIES, _Boom.name, _Boom)
    return _Boom


def _internal_warnings(caught: list) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning) and "nndoctor" in str(w.message)]


@pytest.mark.parametrize("broken", ["quantity", "rule"])
def test_internal_error_is_one_warning_line_and_training_goes_on(bare, boom_quantity, broken):
    rule = _NeedsBoom() if broken == "quantity" else _BrokenRule()
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor = Monitor(rules=[rule]).start()
        try:
            losses = _train(net, opt)
        finally:
            monitor.stop()
    messages = _internal_warnings(caught)
    assert len(messages) == 1, messages
    assert "\n" not in messages[0]
    assert ("test_boom" if broken == "quantity" else "test-broken-rule") in messages[0]
    assert torch.equal(_bits(torch.stack(losses)), _bits(bare["losses"]))
    assert monitor.step == STEPS
    if broken == "quantity":
        assert monitor._quantities[[q.name for q in monitor._quantities].index("test_boom")].calls == 1
        assert len(monitor.trace.view().loss) == STEPS  # the other quantities still measure
    else:
        assert rule.calls == 1


def test_internal_error_in_a_hook_does_not_reach_user_code(monkeypatch):
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    monitor = Monitor()

    def broken(*args, **kwargs):
        raise RuntimeError("naming exploded")

    monkeypatch.setattr(monitor.names, "add_root", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor.start()
        try:
            _train(net, opt, steps=5)
        finally:
            monitor.stop()
    assert len(_internal_warnings(caught)) == 1


# ---------------------------------------------------------------------------- (c) nothing left behind
def _global_state() -> dict[str, object]:
    from torch.amp.grad_scaler import GradScaler

    state: dict[str, object] = {
        "Tensor.backward": torch.Tensor.backward,
        "showwarning": warnings.showwarning,
        "GradScaler.scale": GradScaler.scale,
    }
    state.update({f"F.{name}": getattr(F, name) for name in LOSS_FUNCTIONS if hasattr(F, name)})
    for name in dir(module_hooks):
        if name.startswith("_global_") and name.endswith("hooks"):
            state[name] = dict(getattr(module_hooks, name))
    state["optimizer_pre"] = dict(optimizer_hooks._global_optimizer_pre_hooks)
    state["optimizer_post"] = dict(optimizer_hooks._global_optimizer_post_hooks)
    return state


def _hooks_of(net: nn.Module, opt: torch.optim.Optimizer) -> list[int]:
    counts = []
    for m in net.modules():
        counts += [len(m._forward_pre_hooks), len(m._forward_hooks), len(m._backward_hooks)]
    return [*counts, len(opt._optimizer_step_pre_hooks), len(opt._optimizer_step_post_hooks)]


@pytest.mark.parametrize("mode", ["watch", "discover"])
@pytest.mark.parametrize("stop_at", [3, 7])  # stopped on a sampled (armed) and on an unsampled step
def test_stop_removes_every_hook_and_patch(mode, stop_at):
    before = _global_state()
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    own_hooks = _hooks_of(net, opt)
    monitor = nndoctor.watch(net, opt, live=False) if mode == "watch" else Monitor().start()
    during = _global_state()
    assert during["Tensor.backward"] is not before["Tensor.backward"]  # it did patch
    assert during["optimizer_pre"] != before["optimizer_pre"]
    _train(net, opt, steps=stop_at)
    assert monitor._armed == monitor.schedule.sampled(stop_at)
    monitor.stop()
    after = _global_state()
    assert after.keys() == before.keys()
    for key in before:
        if isinstance(before[key], dict):
            assert after[key] == before[key], key
        else:
            assert after[key] is before[key], key
    assert _hooks_of(net, opt) == own_hooks
    monitor.stop()  # idempotent
    assert _global_state().keys() == before.keys()


def test_only_one_monitor_at_a_time():
    with Monitor(), pytest.raises(RuntimeError, match="already active"):
        Monitor().start()
    with Monitor():  # the first one released its place on exit
        pass


# ---------------------------------------------------------------------------- (d), (e) naming
class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _gan_steps(generator, discriminator, opt_g, opt_d, steps: int = 12) -> None:
    real = torch.randn(256, 2) * 0.5 + 2.0
    for step in range(steps):
        z = torch.randn(32, 4)
        fake = generator(z)
        opt_d.zero_grad()
        d_real, d_fake = discriminator(real[step * 16 : step * 16 + 32]), discriminator(fake.detach())
        loss_d = F.binary_cross_entropy_with_logits(
            d_real, torch.ones_like(d_real)
        ) + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        d_gen = discriminator(fake)
        F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen)).backward()
        opt_g.step()


@pytest.mark.parametrize("mode", ["watch", "discover"])
def test_gan_models_and_optimizers_get_distinct_names(mode):
    torch.manual_seed(0)
    generator, discriminator = Generator(), Discriminator()
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
    if mode == "watch":
        monitor = nndoctor.watch([generator, discriminator], [opt_g, opt_d], live=False)
    else:
        monitor = Monitor().start()
    with monitor:
        _gan_steps(generator, discriminator, opt_g, opt_d)
    assert monitor.name_of(generator) == "generator"
    assert monitor.name_of(discriminator) == "discriminator"
    assert monitor.param_name(generator.net[0].weight) == "generator.net.0.weight"
    assert monitor.param_name(discriminator.net[2].bias) == "discriminator.net.2.bias"
    labels = {monitor.optimizer_label(opt_d), monitor.optimizer_label(opt_g)}
    assert labels == {"optimizer", "optimizer2"}
    grad_keys = set(monitor.trace.view().keys("grad_norm"))
    assert grad_keys == labels


def _make_model() -> nn.Module:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))  # same variable name twice
    return model


def test_two_models_with_the_same_variable_name_get_distinct_names():
    a, b = _make_model(), _make_model()
    del a, b  # names must not come from here but from where the models are called
    torch.manual_seed(0)
    first, second = _make_model(), _make_model()
    with Monitor() as monitor:
        for m in (first, second):
            opt = torch.optim.SGD(m.parameters(), lr=0.1)
            F.mse_loss(m(torch.randn(8, 3)), torch.zeros(8, 1)).backward()
            opt.step()
    names = {monitor.name_of(first), monitor.name_of(second)}
    assert names == {"first", "second"}


def test_models_reached_through_a_container_are_named_by_their_place():
    # `for m in models: m(x)`: the loop variable `m` names nothing; its place does. So do members
    # of a ModuleList called one by one, and a submodule called on its own.
    torch.manual_seed(0)
    models = [nn.Linear(3, 1), nn.Linear(3, 1)]
    heads = {"age": nn.Linear(3, 1)}
    ensemble = nn.ModuleList([nn.Linear(3, 1), nn.Linear(3, 1)])
    wrapper = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    generator = nn.Linear(3, 3)
    x = torch.randn(4, 3)
    with Monitor() as monitor:
        for m in models:
            m(x).sum().backward()
        for h in heads.values():
            h(x)
        for e in ensemble:
            e(x)
        wrapper[0](x)
        for g in [generator]:  # a real name beats a place in a throwaway list
            g(x)
    names = [monitor.name_of(m) for m in (*models, heads["age"], *ensemble, wrapper[0], generator)]
    assert names == ["models[0]", "models[1]", "heads['age']", "ensemble.0", "ensemble.1", "wrapper.0", "generator"]


def test_a_model_the_script_drops_is_not_kept_alive_and_its_names_are_forgotten():
    # A k-fold loop builds a new model per fold: the monitor must let the old one die (a live old
    # model with stale gradients looked like parameters no optimizer updates), and the next
    # model, which may get the old one's ids, must be registered afresh.
    import gc
    import weakref

    torch.manual_seed(0)
    refs, found = [], []
    with Monitor() as monitor:
        for _ in range(3):
            model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            refs.append(weakref.ref(model))
            for _ in range(12):
                opt.zero_grad()
                F.cross_entropy(model(torch.randn(16, 4)), torch.randint(0, 2, (16,))).backward()
                opt.step()
            found.append(monitor.name_of(model))  # each fold's model found (at the fold's sampled step)
            del model, opt
            gc.collect()
        assert found == ["model", "model", "model"]
        assert [r() is None for r in refs] == [True, True, True]
        assert monitor.names.live_roots() == []
        assert monitor.names._module_names == {}
        assert len(monitor.names._param_names) <= 4  # (the last step's gradient norms still hold the last fold's)


def test_naming_a_model_leaves_the_scripts_own_locals_alone():
    # Reading a frame's variables (to name the model) must not take anything from a dict the
    # script got from locals() itself: only the models and optimizers are dropped from the
    # snapshot (so a replaced model can die), and the next locals() call has them back.
    lr, epochs = 0.1, 3
    held = locals()
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    with Monitor() as monitor:
        for _ in range(epochs):
            opt.zero_grad()
            model(torch.randn(4, 3)).pow(2).mean().backward()
            opt.step()
    assert monitor.name_of(model) == "model"
    assert held["lr"] == 0.1 and held["epochs"] == 3
    assert locals()["model"] is model


def test_model_is_named_after_the_users_variable():
    torch.manual_seed(0)
    classifier = Net()
    opt = torch.optim.SGD(classifier.parameters(), lr=0.1)
    x, y = _data()
    with Monitor() as monitor:
        for i in range(6):  # the loop is here: the innermost user frame holding the model
            opt.zero_grad()
            F.cross_entropy(classifier(x[i * 32 : (i + 1) * 32]), y[i * 32 : (i + 1) * 32]).backward()
            opt.step()
    assert monitor.name_of(classifier) == "classifier"
    assert monitor.name_of(classifier.fc1) == "classifier.fc1"
    keys = monitor.trace.view().keys("param_grad_norm")
    assert "classifier.fc1.weight" in keys and all(k.startswith("classifier.") for k in keys)

    doctor = nndoctor.watch(classifier, opt, live=False)
    doctor.stop()
    assert doctor.name_of(classifier) == "classifier"


def test_unnamed_model_falls_back_to_model_then_its_type():
    from nndoctor.monitor.naming import ModuleNames

    names = ModuleNames()
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    assert names.add_root(a, None) == "model"
    assert names.add_root(b, None) == "linear"
    assert names.param_name(b.weight) == "linear.weight"


def test_a_model_registered_again_names_its_new_layers_and_forgets_the_replaced_ones():
    from nndoctor.monitor.naming import ModuleNames

    names = ModuleNames()
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
    old_head = model[2]
    assert names.add_root(model, "model") == "model"
    model[2] = nn.Linear(3, 2)
    assert names.add_root(model, "other") == "model"  # the same model keeps its name
    assert names.param_name(model[2].weight) == "model.2.weight" and names.name_of(model[2]) == "model.2"
    assert names.param_name(old_head.weight) is None and not names.knows(old_head)
    assert names.param_name(model[0].weight) == "model.0.weight"
    assert [r() for r in names.roots] == [model]


def test_a_layer_replaced_after_the_model_trained_is_the_models_layer():
    # Discovered in its first forward, the model is then given a new head: its first call (a
    # sampled step arms the module hooks inside the model's own call) must not make it a model.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    with nndoctor.Monitor(rules=[]) as monitor:
        for step in range(12):
            if step == 6:
                model[2] = nn.Linear(8, 2)
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
            elif step == 0:
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        assert monitor.name_of(model[2]) == "model.2"
        assert [r() for r in monitor.names.roots] == [model]


# ---------------------------------------------------------------------------- schedule and dispatch
def test_schedule_is_dense_early_then_thins_out():
    from nndoctor.monitor.schedule import SampleSchedule

    s = SampleSchedule()
    sampled = [i for i in range(5000) if s.sampled(i)]
    assert sampled[:7] == [0, 1, 2, 3, 4, 10, 20]
    assert [i for i in sampled if 90 <= i <= 200] == [90, 100, 125, 150, 175, 200]
    assert sum(1 for i in sampled if i < 200) == 18
    assert sum(1 for i in sampled if i < 1000) == 26
    assert [i for i in sampled if 800 <= i <= 1500] == [800, 900, 1000, 1200, 1400]
    assert s.interval(3000) == 400 and s.interval(10**7) == s.max_every
    assert all(s.frequent(i) for i in range(20)) and [i for i in range(20, 100) if s.frequent(i)] == list(
        range(20, 100, 5)
    )
    assert not s.frequent(101) and s.frequent(110) and s.frequent(120)
    assert not s.frequent(205) and s.frequent(210)
    assert all(s.frequent(i) for i in sampled)
    assert all(s.kind(i) == (s.sampled(i), s.frequent(i)) for i in range(3000))
    block = s.kinds(950, 1250)  # what the monitor reads ahead: 2 sampled, 1 frequent, 0 plain
    assert [k == 2 for k in block] == [s.sampled(i) for i in range(950, 1250)]
    assert [k != 0 for k in block] == [s.frequent(i) for i in range(950, 1250)]
    with pytest.raises(ValueError, match="at least 1"):
        SampleSchedule(every=0)


def test_loss_is_read_once_per_tensor_and_again_after_an_in_place_change():
    monitor = Monitor([nn.Linear(2, 1)])
    loss = torch.tensor(2.0)
    reads = []
    original = torch.Tensor.item

    def counting_item(t):
        reads.append(t)
        return original(t)

    torch.Tensor.item = counting_item
    try:
        assert monitor.loss_value(loss) == 2.0 and monitor.loss_value(loss) == 2.0
        assert len(reads) == 1
        loss.mul_(3)
        assert monitor.loss_value(loss) == 6.0 and len(reads) == 2
        assert monitor.loss_value(torch.tensor(6.0)) == 6.0 and len(reads) == 3
    finally:
        torch.Tensor.item = original


def test_global_and_per_parameter_gradient_norms_are_the_same_measurement():
    """grad_norm and param_stats share the monitor's one measurement per step."""
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    X, y = _data()
    with Monitor([net], [opt]) as monitor:
        for _ in range(3):
            opt.zero_grad()
            F.cross_entropy(net(X[:32]), y[:32]).backward()
            opt.step()
    view = monitor.trace.view()
    for step in range(3):
        per_param = [view.series("param_grad_norm", k) for k in view.keys("param_grad_norm")]
        squares = sum(float(s.values[s.steps == step][0]) ** 2 for s in per_param)
        total = view.series("grad_norm", "optimizer")
        assert float(total.values[total.steps == step][0]) == pytest.approx(squares**0.5, rel=1e-9)


def _steps_seen(every_step: bool, frequent: bool) -> type[Quantity]:
    class Seen(Quantity):
        name = f"test_seen_{int(every_step)}{int(frequent)}"

        def __init__(self, ctx):
            super().__init__(ctx)
            self.steps: list[int] = []

        def on_before_step(self, optimizer):
            self.steps.append(self.ctx.step)

    Seen.every_step, Seen.frequent = every_step, frequent
    return Seen


def test_handlers_run_on_their_kind_of_step(monkeypatch):
    from nndoctor import quantities
    from nndoctor.monitor.schedule import SampleSchedule

    quantity_classes()
    kinds = {"every": (True, False), "frequent": (False, True), "sampled": (False, False)}
    classes = {kind: _steps_seen(*flags) for kind, flags in kinds.items()}
    for cls in classes.values():
        monkeypatch.setitem(quantities._QUANTITIES, cls.name, cls)

    class NeedsAll(Rule):
        id = "test-needs-all"
        requires = frozenset(cls.name for cls in classes.values())

        def check(self, view):
            return []

    schedule = SampleSchedule(
        dense_until=2,
        early_every=3,
        early_until=12,
        settle_until=12,
        every=5,
        double_after=20,
        max_every=10,
        frequent_until=12,
        frequent_every=4,
    )
    torch.manual_seed(0)
    net = nn.Linear(3, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    with Monitor(rules=[NeedsAll()], schedule=schedule) as monitor:
        for _ in range(70):
            opt.zero_grad()
            F.mse_loss(net(torch.randn(4, 3)), torch.zeros(4, 1)).backward()
            opt.step()
    seen = {q.name: q.steps for q in monitor._quantities if q.name.startswith("test_seen")}
    assert seen[classes["every"].name] == list(range(70))
    assert seen[classes["frequent"].name] == [i for i in range(70) if schedule.frequent(i)]
    assert seen[classes["sampled"].name] == [i for i in range(70) if schedule.sampled(i)]
    assert seen[classes["sampled"].name] == [0, 1, 3, 6, 9, 15, 20, 30, 40, 50, 60]


def test_optimizer_params_cache_follows_param_group_changes():
    a, b, c = nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2)
    opt = torch.optim.SGD(a.parameters(), lr=0.1)
    monitor = Monitor(rules=[])
    first = monitor.optimizer_params(opt)
    assert first == list(a.parameters())
    assert monitor.optimizer_params(opt) is first  # cached: asked every step
    opt.add_param_group({"params": list(b.parameters())})
    assert monitor.optimizer_params(opt) == [*a.parameters(), *b.parameters()]
    opt.param_groups[0]["params"] = list(c.parameters())
    assert monitor.optimizer_params(opt) == [*c.parameters(), *b.parameters()]
    opt.param_groups[1]["params"].append(a.weight)
    assert monitor.optimizer_params(opt)[-1] is a.weight


@pytest.mark.parametrize("as_keyword", [False, True])
def test_closure_steps_are_measured_after_the_closure_ran(as_keyword):
    """``optimizer.step(closure)`` (LBFGS, Lightning): forward and backward happen inside the step,
    so the gradient norm must be the one the closure produced, not the previous step's."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    x, y = torch.randn(64, 8), torch.randint(0, 3, (64,))
    seen: list[float] = []

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        seen.append(float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in net.parameters()]))))
        return loss

    doctor = nndoctor.watch(net, opt, live=False)
    try:
        for _ in range(6):
            result = opt.step(closure=closure) if as_keyword else opt.step(closure)
            assert isinstance(result, torch.Tensor)  # the closure's result passes through
    finally:
        doctor.stop()
    measured = doctor.trace.view().series("grad_norm", "optimizer")
    assert measured.steps.tolist() == list(range(6))
    assert measured.values == pytest.approx(seen, rel=1e-5)


def test_evaluation_quantities_and_watched_steps_see_what_they_need(monkeypatch):
    """An ``evaluation`` quantity sees every event from an evaluation forward on a plain step to
    that step's end, and nothing of plain training steps; a quantity that asks
    ``watch_next_step`` on a sampled step sees the whole next step."""
    from nndoctor import quantities
    from nndoctor.monitor.schedule import SampleSchedule

    class SeesEvaluation(Quantity):
        name = "test_sees_evaluation"
        evaluation = True

        def __init__(self, ctx):
            super().__init__(ctx)
            self.events: list[tuple[str, int, bool]] = []

        def on_root_forward(self, root, args, kwargs, grad_enabled):
            self.events.append(("forward", self.ctx.step, grad_enabled))

        def on_loss(self, fn_name, args, kwargs, result):
            self.events.append(("loss", self.ctx.step, torch.is_grad_enabled()))

        def on_before_step(self, optimizer):
            self.events.append(("step", self.ctx.step, True))

    class WatchesNext(Quantity):
        name = "test_watches_next"

        def __init__(self, ctx):
            super().__init__(ctx)
            self.backwards: list[int] = []

        def on_backward(self, tensor, loss_value):
            self.backwards.append(self.ctx.step)

        def on_after_step(self, optimizer):
            if self.ctx.sampled:
                self.ctx.watch_next_step(self.name)

    quantity_classes()
    for cls in (SeesEvaluation, WatchesNext):
        monkeypatch.setitem(quantities._QUANTITIES, cls.name, cls)

    class NeedsBoth(Rule):
        id = "test-needs-both"
        requires = frozenset({SeesEvaluation.name, WatchesNext.name})

        def check(self, view):
            return []

    schedule = SampleSchedule(dense_until=1, early_every=10, early_until=40, settle_until=40, every=10,
                              frequent_until=0, frequent_every=1000)  # fmt: skip
    torch.manual_seed(0)
    net = nn.Linear(3, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    with Monitor(rules=[NeedsBoth()], schedule=schedule) as monitor:
        for i in range(25):
            if i == 13:  # an evaluation pass on a plain step, then that step's training
                with torch.no_grad():
                    F.mse_loss(net(torch.randn(4, 3)), torch.zeros(4, 1))
            opt.zero_grad()
            F.mse_loss(net(torch.randn(4, 3)), torch.zeros(4, 1)).backward()
            opt.step()
    q = {q.name: q for q in monitor._quantities}
    plain_events = [e for e in q[SeesEvaluation.name].events if e[1] not in (0, 10, 20)]
    assert plain_events == [("forward", 13, False), ("loss", 13, False), ("forward", 13, True), ("loss", 13, True),
                            ("step", 13, True)]  # fmt: skip
    assert q[WatchesNext.name].backwards == [0, 1, 10, 11, 20, 21]


class _FailsWhileTraining(Rule):
    """Raises on live checks (a prefix of the run its arithmetic did not expect), finds at the end."""

    id = "test-shared-id"
    requires = frozenset({"loss"})

    def check(self, view):
        if not view.final:
            raise ZeroDivisionError("float division by zero")
        yield self.finding("found at the end", "fix")


class _SharesTheId(Rule):
    id = "test-shared-id"
    requires = frozenset({"loss"})

    def __init__(self) -> None:
        self.calls = 0

    def check(self, view):
        self.calls += 1
        return []


def test_a_rule_that_failed_on_a_prefix_gets_the_final_check_and_spares_its_namesakes():
    # probe 11: lr-too-low divided by a rate of 0 in a live check; the one warning disabled every
    # rule of that id for the rest of the run, and the end of the run reported no problem
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    other = _SharesTheId()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor = Monitor(rules=[_FailsWhileTraining(), other])
        monitor._clock = lambda: 60.0 * monitor.step  # a live check after every step
        monitor._last_check = -60.0
        monitor.start()
        try:
            _train(net, opt)
        finally:
            findings = monitor.stop()
    assert len(_internal_warnings(caught)) == 1 and "_FailsWhileTraining" in _internal_warnings(caught)[0]
    assert [f.message for f in findings] == ["found at the end"]
    assert other.calls > 2  # its live checks went on


class _CountsLiveChecks(Rule):
    id = "test-counts-live-checks"
    requires = frozenset({"loss"})

    def __init__(self) -> None:
        self.live_steps: list[int] = []

    def check(self, view):
        if not view.final:
            self.live_steps.append(view.last_step)
        return []


def test_the_rule_clock_starts_when_the_monitor_does():
    # The overhead benchmark sets a CPU-time clock after construction: the first check waited for
    # the process's CPU seconds to pass the machine's uptime, read from the monotonic clock at
    # construction, so the benchmark never paid for a live check.
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    counter = _CountsLiveChecks()
    monitor = Monitor(rules=[counter])
    monitor._last_check = 1e9  # a clock far ahead of the one the run will use
    monitor._clock = lambda: 60.0 * monitor.step  # a check is due after every step
    with monitor:
        _train(net, opt, steps=5)
    assert counter.live_steps[:3] == [0, 1, 2]  # after each of the first steps
