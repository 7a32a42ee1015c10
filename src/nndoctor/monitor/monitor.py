"""The monitor: watches training through PyTorch hooks and turns what it sees into findings.

Every event point of a training step, in order::

    root forward pre-hook   -> on_root_forward   (arms module hooks on sampled steps)
    module forward hooks    -> on_module_forward (only while armed)
    root forward hook       -> on_root_output
    loss function wrapper   -> on_loss
    Tensor.backward wrapper -> on_backward       (reads the loss; non-finite -> localise)
    optimizer pre-step hook -> on_before_step    (grad norm; non-finite -> localise)
    optimizer post-step hook-> on_after_step     (step += 1, flush the record, run rules)

Nothing here changes a tensor the user's code can see, draws a random number from the user's
generators, or lets an exception escape into the user's code: an internal error disables the
quantity that raised it and becomes one warning line.
"""

from __future__ import annotations

import math
import time
import warnings
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.nn.modules.loss import _Loss
from torch.optim import optimizer as optimizer_hooks

from nndoctor.causes import link_causes
from nndoctor.findings import Finding, sort_findings
from nndoctor.monitor.naming import ModuleNames, variable_names_of
from nndoctor.monitor.patches import Patches
from nndoctor.monitor.schedule import SampleSchedule
from nndoctor.quantities import Quantity, quantity_classes
from nndoctor.quantities._tensors import l2_norms
from nndoctor.quantities.base import ALWAYS_DISPATCHED, EVENTS
from nndoctor.registry import make_rules
from nndoctor.rules.base import Rule
from nndoctor.trace import Trace

_ACTIVE: Monitor | None = None
Handlers = tuple[tuple[str, Callable[..., None]], ...]

#: Measured whatever the rules: non-finite detection and the reports need them.
ALWAYS_MEASURED = frozenset({"loss", "grad_norm", "learning_rate", "param_stats", "val_loss", "weight_histogram"})

#: How often (seconds of wall time) live rules are re-checked between steps, at most.
RULE_CHECK_INTERVAL = 1.0
#: Share of wall time live rule checks may take: a check that took 30 ms waits 6 s for the next
#: (the trace, and so a check, grows with the run; the check at stop is always complete).
RULE_CHECK_BUDGET = 0.005
#: The clock is read at most every this many steps: each read is a system call on some clocks
#: (CPU time: ~0.5 us, a tenth of a percent of a small model's step), and a check comes due
#: once a second. Between reads the monitor counts down steps, half of those it expects before
#: the next check is due (so a slow step is never waited on: its steps read the clock each time).
MAX_STEPS_BETWEEN_CLOCK_READS = 32
#: Steps whose kind (sampled, frequent, plain) the monitor reads from the schedule at once.
KINDS_AHEAD = 1024
#: Loss-function calls that raised: how many are recorded.
MAX_FAILED_LOSSES = 5
#: Evaluation passes: how many no-grad forwards per evaluation phase get module hooks.
EVAL_SAMPLES_PER_PHASE = 2


class Monitor:
    """Watches models and optimizers; collects a trace; reports findings.

    Args:
        models: models to watch. ``None`` discovers every model the code calls.
        optimizers: optimizers to watch. ``None`` watches every optimizer that steps.
        rules: rule instances (default: every registered rule that can run live).
        ignore: diagnosis ids to silence.
        sink: receives trace records (the on-disk run record).
        on_finding: called once for each new finding, the moment it is found.
        schedule: which steps get the full measurements.
    """

    def __init__(
        self,
        models: Iterable[nn.Module] | None = None,
        optimizers: Iterable[torch.optim.Optimizer] | None = None,
        *,
        rules: list[Rule] | None = None,
        ignore: Iterable[str] = (),
        sink: Callable[[list[dict[str, Any]]], None] | None = None,
        on_finding: Callable[[Finding], None] | None = None,
        schedule: SampleSchedule | None = None,
    ) -> None:
        models = list(models) if models is not None else None
        for m in models or []:
            if not isinstance(m, nn.Module):
                raise TypeError(f"nndoctor.watch expects torch.nn.Module models, got {type(m).__name__}")
        self.trace = Trace(sink)
        self.rules = rules if rules is not None else make_rules(ignore=set(ignore), live_only=True)
        self.ignore = set(ignore)
        self.on_finding = on_finding
        self._schedule = schedule or SampleSchedule()
        self.names = ModuleNames()
        self.name_of: Callable[[nn.Module], str] = self.names.name_of
        self.root_of: Callable[[nn.Module], nn.Module | None] = self.names.root_of
        self.parent_of: Callable[[nn.Module], nn.Module | None] = self.names.parent_of
        self.param_name: Callable[[torch.Tensor], str | None] = self.names.param_name
        self.param_module: Callable[[torch.Tensor], nn.Module | None] = self.names.param_module
        self._discover = models is None
        self._given_models = models or []
        self._watch_optimizers = weakref.WeakSet(optimizers) if optimizers is not None else None
        self._errors: set[str] = set()
        self._retired: set[str] = set()
        self._scaler_seen = False
        self._quantities = self._make_quantities()
        #: Quantities dispatched from an evaluation forward pass to the end of its step.
        self._evaluation = frozenset(q.name for q in self._quantities if q.evaluation)
        self._tier = 2  # which handlers run this step: see _build_dispatch
        self._armed = False
        #: Quantities that asked to see every event of the next step (watch_next_step), and
        #: those seeing this one.
        self._watch_next: set[str] = set()
        self._watching: frozenset[str] = frozenset()
        self._set_dispatch(self._build_dispatch())

        self.step = 0
        #: SampleSchedule.kinds of the steps from _kinds_start on (emptied when the schedule changes).
        self._kinds = b""
        self._kinds_start = 0
        self.sampled = True
        self.frequent = True
        self.full_sample = True  # a sampled step on which the thinned quantities run too
        self._samples = 1  # sampled steps so far, this one included
        #: This step's gradient norms per optimizer: see param_grad_norms.
        self._grad_norms: dict[int, tuple[list[torch.Tensor], list[float]]] = {}
        #: The value last read from a scalar loss tensor: (weak reference, tensor version, value).
        self._loss_memo: tuple[weakref.ref, int, float] | None = None
        self._current_root: weakref.ref | None = None  # the root whose forward ran last
        self._default_dropout_roots: set[str] = set()
        self._armed_by_eval = False
        self._stack: list[int] = []
        #: Modules that ran inside a model's forward but are none of its layers (see _new_layer).
        self._outside_models: weakref.WeakSet[nn.Module] = weakref.WeakSet()
        self._handles: list[Any] = []
        self._root_handles: dict[int, list[Any]] = {}
        self._root_refs: dict[int, weakref.ref] = {}
        self._patches = Patches(self)
        self._optimizers: list[weakref.ref] = []
        self._optimizer_labels: dict[int, str] = {}
        #: Per live optimizer: (param_groups, [(group params, length)], flat params).
        self._opt_params: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        #: The optimizer whose steps count as training steps (a GAN steps two), and a weak
        #: reference to it: when it is gone (a k-fold loop's last fold's), the next one counts.
        self._primary: int | None = None
        self._primary_ref: Callable[[], Any] = lambda: None
        self._steps_without_primary = 0
        self._pending_losses: list[tuple[Any, Any]] = []
        self._scaled: dict[int, torch.Tensor] = {}
        self._producers: dict[int, tuple[torch.Tensor, nn.Module]] = {}
        #: Per root: (weak reference to it, args, kwargs) of its last forward, for a NaN replay (a
        #: strong reference would keep a model the script dropped alive: a k-fold loop's old ones);
        #: and the id of the root called last.
        self._last_call: dict[int, tuple[weakref.ref, tuple, dict]] = {}
        self._last_root: int | None = None
        #: A known root ran a training forward in the step that just ended (see _next_step_kind).
        self._root_called = False
        self._last_loss_call: tuple[str, tuple, dict] | None = None
        self._eval_phase_calls = 0
        self._eval_phases = 0
        self._nonfinite_seen: set[str] = set()
        self._findings: dict[tuple[str, str | None], Finding] = {}
        #: The rule that made each finding (ids are shared: a live rule and another, or two
        #: rules of one diagnosis), and the live findings the final check withdrew (see
        #: Rule.retractable).
        self._made_by: dict[tuple[str, str | None], Rule] = {}
        self._resolved: dict[tuple[str, str | None], Finding] = {}
        #: The clock of live rule checks (the overhead benchmark drives it with CPU time).
        self._clock: Callable[[], float] = time.monotonic
        self._last_check = self._clock()
        self._check_interval = RULE_CHECK_INTERVAL
        #: Steps until the clock is read again, and (time, step) of the last read.
        self._clock_countdown = 1
        self._clock_read = (self._last_check, 0)
        self._busy = False
        #: True while an optimizer's closure runs inside ``step(closure)`` (LBFGS): its
        #: ``zero_grad()``/``backward()`` calls are the optimizer's own evaluations.
        self.in_closure = False
        #: The optimizer whose ``step(closure)`` is running (between its pre- and post-hook), if
        #: any: a ``zero_grad()`` made there (SAM clears the gradients inside its step, before
        #: re-evaluating the closure) is the optimizer's own, not the loop's.
        self._closure_step_of: int | None = None
        self._failed_losses = 0
        self.started = False
        self.stopped = False

    @property
    def schedule(self) -> SampleSchedule:
        """Which steps are sampled and frequent; replacing it takes effect from the next step."""
        return self._schedule

    @schedule.setter
    def schedule(self, schedule: SampleSchedule) -> None:
        self._schedule = schedule
        self._kinds = b""  # read ahead again, from the new schedule

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Monitor:
        global _ACTIVE
        if _ACTIVE is not None:
            raise RuntimeError("another nndoctor monitor is already active; stop it first")
        _ACTIVE = self
        self.started = True
        # The rule checks' clock starts now, on whatever clock is set (a benchmark sets CPU
        # time after construction: measured from the monotonic clock's reading, its first
        # check would have waited for the CPU time to catch up with the machine's uptime).
        self._last_check = min(self._last_check, self._clock())
        self._clock_read = (self._last_check, self.step)
        self._patches.install()
        self._handles.append(optimizer_hooks.register_optimizer_step_pre_hook(self._before_step))
        self._handles.append(optimizer_hooks.register_optimizer_step_post_hook(self._after_step))
        for m in self._given_models:
            self._add_root(m, variable_names_of(m) or "model")
        if self._discover:
            self._arm()
        return self

    def stop(self) -> list[Finding]:
        """Remove every hook and patch, finish the record and return all findings."""
        global _ACTIVE
        if self.stopped:
            return self.findings
        self.stopped = True
        self._disarm()
        for h in self._handles:
            h.remove()
        self._handles.clear()
        for hs in self._root_handles.values():
            for h in hs:
                h.remove()
        self._root_handles.clear()
        self._patches.uninstall()
        if _ACTIVE is self:
            _ACTIVE = None
        self._safely("finish", self._flush_losses, final=True)
        for q in self._quantities:
            flush = getattr(q, "flush", None)
            if flush is not None:
                self._safely(q.name, flush)
        self.trace.flush()
        self._check_rules(final=True)
        self._producers.clear()
        self._last_call.clear()
        self._last_loss_call = None
        return self.findings

    def __enter__(self) -> Monitor:
        if not self.started:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def findings(self) -> list[Finding]:
        """Every finding so far, most severe first, each symptom naming its cause when both are
        here (:func:`nndoctor.causes.link_causes`)."""
        return sort_findings(link_causes(list(self._findings.values())))

    @property
    def resolved(self) -> list[Finding]:
        """Findings made while the run trained that the check at its end no longer supports (a
        plateau the loss later left, updates that grew): not among :attr:`findings`."""
        return sort_findings(list(self._resolved.values()))

    # ------------------------------------------------------------------ context for quantities
    # name_of, root_of, parent_of, param_name, param_module: the name table's own methods, bound
    # in __init__ (quantities ask for names on every sampled step; a delegating method would be
    # one more Python call each time).

    def producer_of(self, tensor: Any) -> nn.Module | None:
        entry = self._producers.get(id(tensor))
        return entry[1] if entry is not None and entry[0] is tensor else None

    def optimizer_params(self, optimizer: torch.optim.Optimizer) -> list[torch.Tensor]:
        """The optimizer's parameters, in group order (cached: quantities ask every step).

        Treat the list as read-only. The cache is rebuilt when a group is added or a group's
        ``params`` list is replaced or changes length.
        """
        groups = optimizer.param_groups
        try:
            cached = self._opt_params.get(optimizer)
        except TypeError:  # an unhashable optimizer class: no cache
            return [p for g in groups for p in g["params"]]
        if cached is not None and cached[0] is groups and len(groups) == len(cached[1]):
            for g, (plist, n) in zip(groups, cached[1], strict=True):
                ps = g["params"]
                if ps is not plist or len(ps) != n:
                    break
            else:
                return cached[2]
        flat = [p for g in groups for p in g["params"]]
        self._opt_params[optimizer] = (groups, [(g["params"], len(g["params"])) for g in groups], flat)
        return flat

    def optimizer_label(self, optimizer: torch.optim.Optimizer) -> str:
        return self._optimizer_labels.get(id(optimizer), "optimizer")

    def all_optimizer_params(self) -> list[torch.Tensor]:
        out = []
        for ref in self._optimizers:
            opt = ref()
            if opt is not None:
                out.extend(self.optimizer_params(opt))
        return out

    def named_root_params(self) -> list[tuple[str, torch.Tensor]]:
        out = []
        for root in self.names.live_roots():
            for p in root.parameters():
                name = self.names.param_name(p)
                if name is not None:
                    out.append((name, p))
        return out

    def param_grad_norms(self, optimizer: torch.optim.Optimizer) -> tuple[list[torch.Tensor], list[float]]:
        """The optimizer's parameters holding a dense gradient, and each gradient's L2 norm.

        Measured once per step (see :func:`l2_norms`), whoever asks first: the global norm, the
        per-parameter norms and the LR probe read the same numbers.
        """
        found = self._grad_norms.get(id(optimizer))
        if found is None:
            params = [p for p in self.optimizer_params(optimizer) if p.grad is not None and not p.grad.is_sparse]
            norms = l2_norms([p.grad for p in params]) if params else []
            found = self._grad_norms[id(optimizer)] = (params, norms)
        return found

    def loss_value(self, loss: torch.Tensor) -> float:
        """``loss.item()`` of a one-element CPU tensor, read once per tensor: the loss function's
        result is usually the very tensor ``backward()`` is called on, and each read is a few
        microseconds of a small model's step. (A later in-place change is seen: it bumps the
        tensor's version.)"""
        memo = self._loss_memo
        if memo is not None and memo[0]() is loss and memo[1] == loss._version:
            return memo[2]
        value = loss.item()
        self._loss_memo = (weakref.ref(loss), loss._version, value)
        return value

    def report_nonfinite(self, kind: str, detail: dict[str, Any]) -> None:
        """A quantity saw NaN/Inf: localise it once per kind, record it, check rules now."""
        if kind in self._nonfinite_seen:
            return
        self._nonfinite_seen.add(kind)
        from nndoctor.monitor.replay import localize

        info = self._safely("localize", localize, self, kind) or {}
        self.trace.event("nonfinite", self.step, kind=kind, **detail, **info)
        self.trace.flush()
        self._check_rules()

    # ------------------------------------------------------------------ setup
    def _make_quantities(self) -> list[Quantity]:
        classes = quantity_classes()
        wanted: set[str] = set()
        for rule in self.rules:
            wanted |= set(rule.requires)
        wanted |= ALWAYS_MEASURED
        unknown = wanted - set(classes)
        if unknown:
            raise ValueError(f"rules require unknown quantities: {sorted(unknown)}")
        return [classes[name](self) for name in sorted(wanted)]

    def _build_dispatch(self) -> dict[str, tuple[Handlers, Handlers, Handlers, Handlers]]:
        """Per event, the handlers of each kind of step: (plain, frequent, sampled, thinned).

        :meth:`_emit` picks by ``_tier``: 0 on plain steps, 1 on frequent ones, 2 on sampled (or
        armed) steps, 3 on the sampled steps where quantities marked ``thinned`` (the static ones:
        what the data looks like) sit out (``SampleSchedule.full``). Tuples, so
        a step allocates nothing; every event has an entry.
        A quantity that raised is left out (see :meth:`_internal_error`), so the hot path never
        checks ``_errors``; so is a retired one.
        """
        table: dict[str, tuple[list, list, list, list]] = {event: ([], [], [], []) for event in EVENTS}
        for q in self._quantities:
            if q.name in self._errors or q.name in self._retired:
                continue
            runs_on = (bool(q.every_step), bool(q.every_step or q.frequent), True, not q.thinned)
            for event in q.handlers():
                handler = (q.name, getattr(q, event))
                for tier, runs in enumerate(runs_on):
                    if runs or event in ALWAYS_DISPATCHED:
                        table[event][tier].append(handler)
        return {event: tuple(tuple(h) for h in tiers) for event, tiers in table.items()}

    def _set_dispatch(self, table: dict[str, tuple[Handlers, Handlers, Handlers, Handlers]]) -> None:
        """Install a dispatch table and index it by tier: a step looks handlers up in one dict."""
        self._dispatch = table
        self._by_tier = tuple({event: tiers[t] for event, tiers in table.items()} for t in range(4))
        self._with_watched: dict[tuple[int, frozenset[str]], dict[str, Handlers]] = {}
        self._select_handlers()

    def _select_handlers(self) -> None:
        """The handlers of the current step's tier; an armed plain step (an evaluation pass being
        watched) gets the sampled ones. Called whenever ``_tier``, ``_armed`` or ``_watching`` changes."""
        tier = self._tier
        if tier < 2 and self._armed:
            tier = 2
        handlers = self._handlers = self._by_tier[tier] if not self._watching else self._tier_with_watched(tier)
        # What a plain training step may skip (see the root hooks, _before_step, _after_step and
        # the zero_grad wrapper): nothing listens there this step, so they only keep the books.
        self._quiet_root = not (self._armed or handlers["on_root_forward"] or handlers["on_root_output"])
        self._quiet_step = not (handlers["on_before_step"] or handlers["on_after_step"])
        self._quiet_zero_grad = not handlers["on_zero_grad"]
        #: A plain step that leaves the next plain step as it is: nothing to set up between them.
        self._steady = self._tier == 0 and not (self._armed or self._watching or self._watch_next)

    def _tier_with_watched(self, tier: int) -> dict[str, Handlers]:
        """A tier's handlers plus every handler of the quantities in ``_watching`` (in the
        quantities' usual order; the sampled tier holds every handler there is)."""
        key = (tier, self._watching)
        table = self._with_watched.get(key)
        if table is None:
            table = {}
            for event, tiers in self._dispatch.items():
                base = set(tiers[tier])
                table[event] = tuple(h for h in tiers[2] if h in base or h[0] in self._watching)
            self._with_watched[key] = table
        return table

    def watch_next_step(self, quantity: str) -> None:
        """Dispatch every event to ``quantity`` on the next training step too, whatever its kind:
        for a measurement that spans a sampled step and the one after it (were the gradients of
        the sampled step cleared before the next backward?), so that it need not run on every step."""
        self._watch_next.add(quantity)
        self._steady = False

    def retire(self, quantity: str) -> None:
        """Stop dispatching events to a quantity that has measured all it wanted (its ``flush``
        still runs at the end): every handler left on the per-step path costs microseconds."""
        if quantity not in self._retired:
            self._retired.add(quantity)
            self._set_dispatch(self._build_dispatch())

    def _needs_module_hooks(self) -> bool:
        return any(q.module_hooks for q in self._quantities)

    def _emit(self, event: str, *args: Any) -> None:
        for qname, handler in self._handlers[event]:
            try:
                handler(*args)
            except Exception as exc:  # never let a measurement break the user's run
                self._internal_error(qname, exc)

    def _safely(self, what: str, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            self._internal_error(what, exc)
            return None

    def _internal_error(self, what: str, exc: BaseException) -> None:
        if what in self._errors:
            return
        self._errors.add(what)
        if any(q.name == what for q in self._quantities):
            self._set_dispatch(self._build_dispatch())  # a quantity that raised is measured no more
        warnings.warn(
            f"nndoctor: internal error in {what!r} ({type(exc).__name__}: {exc}); it is disabled, training goes on",
            RuntimeWarning,
            stacklevel=2,
        )

    # ------------------------------------------------------------------ models
    def _add_root(self, root: nn.Module, preferred: str | list[str] | None) -> None:
        known = self._root_refs.get(id(root))
        if known is not None and known() is root:
            return
        for h in self._root_handles.pop(id(root), ()):  # a dead root's id, reused by this one
            h.remove()
        self.names.add_root(root, preferred)
        ref = self._root_refs[id(root)] = weakref.ref(root)
        if isinstance(root, torch.jit.ScriptModule):  # takes no hooks: named, watched through its loss and steps
            self._root_handles[id(root)] = []
            return
        pre, post = self._root_hooks(id(root), ref)
        self._root_handles[id(root)] = [
            root.register_forward_pre_hook(pre, with_kwargs=True),
            root.register_forward_hook(post),
        ]

    def _root_hooks(self, key: int, ref: weakref.ref) -> tuple[Callable[..., None], Callable[..., None]]:
        """The forward pre-hook and hook of one root. A training forward on a quiet step (nothing
        listens to the root's events: a plain step) keeps only what a NaN replay and the dropout
        check need, in the hook itself: the root's call goes through ``Module._call_impl``'s hook
        path on every step, and each Python call more there is a measurable share of a small
        model's step. Anything else (evaluation passes, sampled steps) takes the full path."""
        monitor, last_call, grad_enabled = self, self._last_call, torch.is_grad_enabled

        def root_pre(root: nn.Module, args: tuple, kwargs: dict) -> None:
            if monitor._quiet_root and root.training and grad_enabled() and not (monitor._busy or monitor.stopped):
                last_call[key] = (ref, args, kwargs)
                monitor._current_root = ref
                monitor._last_root = key
                monitor._root_called = True
                if monitor._producers:
                    monitor._producers.clear()
                return
            monitor._root_pre(root, args, kwargs)

        def root_post(root: nn.Module, args: tuple, output: Any) -> None:
            if not monitor._quiet_root:
                monitor._root_post(root, args, output)

        return root_pre, root_post

    def _is_root_candidate(self, module: nn.Module) -> bool:
        if isinstance(module, _Loss) or self.names.knows(module):
            return False
        return next(module.parameters(), None) is not None

    def _arm(self) -> None:
        if self._armed or not (self._needs_module_hooks() or self._discover):
            return
        self._armed = True
        self._handles_armed = [
            module_hooks.register_module_forward_pre_hook(self._global_pre),
            module_hooks.register_module_forward_hook(self._global_post),
        ]
        self._select_handlers()

    def _disarm(self) -> None:
        if self._armed:
            for h in self._handles_armed:
                h.remove()
            self._armed = False
            self._armed_by_eval = False
            self._stack.clear()  # unarmed, nothing pushes: the quiet root hooks need not look
            self._select_handlers()

    def _global_pre(self, module: nn.Module, args: tuple) -> None:
        if self._busy:
            return
        try:
            if not self._stack and self._discover and self._is_root_candidate(module):
                self._add_root(module, variable_names_of(module) or "model")
                self._stack.append(id(module))
                self._root_pre(module, args, {})
                return
            if self._stack and not self.names.knows(module):
                self._new_layer(module)
            self._stack.append(id(module))
        except Exception as exc:
            self._internal_error("module hooks", exc)

    def _new_layer(self, module: nn.Module) -> None:
        """A module the names table does not know ran inside a model's forward: a layer added or
        replaced after the model was registered (``model.head = nn.Linear(...)``, a fine-tuning
        script's new classifier) is named in its model again, so that its parameters are the
        model's and the replaced layer's are not. A module that belongs to no model (created in
        forward(), held in a plain list) is checked once."""
        if module in self._outside_models:
            return
        ref = self._current_root
        root = ref() if ref is not None else None
        if root is not None and self.names.knows(root) and any(m is module for m in root.modules()):
            self.names.add_root(root)
        else:
            self._outside_models.add(module)

    def _global_post(self, module: nn.Module, inputs: tuple, output: Any) -> None:
        if self._busy:
            return
        try:
            if self._stack and self._stack[-1] == id(module):
                self._stack.pop()
            if isinstance(output, torch.Tensor):
                self._producers.setdefault(id(output), (output, module))
            if self.names.knows(module):
                for qname, handler in self._handlers["on_module_forward"]:  # (in place: once per module)
                    try:
                        handler(module, inputs, output)
                    except Exception as exc:
                        self._internal_error(qname, exc)
        except Exception as exc:
            self._internal_error("module hooks", exc)

    # The hooks below run on every training step: each guards itself (busy, stopped, exceptions)
    # and runs its handlers in place rather than through a guarding wrapper and _emit, two
    # Python calls fewer per event; on a small model's step every call is a measurable share of the cost.
    def _root_pre(self, root: nn.Module, args: tuple, kwargs: dict) -> None:
        if self._busy or self.stopped:
            return
        try:
            grad = torch.is_grad_enabled()
            stack = self._stack
            if stack and stack[-1] == id(root):
                del stack[:-1]
            else:
                stack.clear()
            if self._producers:
                self._producers.clear()
            ref = self._root_refs.get(id(root))
            ref = self._current_root = ref if ref is not None and ref() is root else weakref.ref(root)
            self._last_call[id(root)] = (ref, args, kwargs)
            self._last_root = id(root)
            was_armed = self._armed
            if grad and root.training:
                self._root_called = True
                if self.sampled:
                    self._arm()
            elif not self._armed:
                if not self._evaluation <= self._watching:
                    self._watching |= self._evaluation
                    self._select_handlers()
                if self._eval_phase_calls == 0:
                    self._eval_phases += 1
                self._eval_phase_calls += 1
                phase = self._eval_phases
                if self._eval_phase_calls <= EVAL_SAMPLES_PER_PHASE and (phase <= 5 or phase % 10 == 0):
                    self._arm()
                    self._armed_by_eval = True
            if self._armed and not was_armed:
                stack.append(id(root))  # armed inside its own call: its global pre-hook did not run
            for qname, handler in self._handlers["on_root_forward"]:
                try:
                    handler(root, args, kwargs, grad)
                except Exception as exc:
                    self._internal_error(qname, exc)
        except Exception as exc:
            self._internal_error("root_pre", exc)

    def _root_post(self, root: nn.Module, args: tuple, output: Any) -> None:
        if self._busy or self.stopped:
            return
        try:
            if self._stack and self._stack[-1] == id(root):
                self._stack.pop()
            grad = torch.is_grad_enabled()
            for qname, handler in self._handlers["on_root_output"]:
                try:
                    handler(root, output, grad)
                except Exception as exc:
                    self._internal_error(qname, exc)
            if self._armed_by_eval:
                self._disarm()
        except Exception as exc:
            self._internal_error("root_post", exc)

    # ------------------------------------------------------------------ loss and backward
    def on_loss(self, fn_name: str, args: tuple, kwargs: dict, result: Any) -> None:
        if self._busy or self.stopped:
            return
        self._last_loss_call = (fn_name, args, kwargs)
        for qname, handler in self._handlers["on_loss"]:
            try:
                handler(fn_name, args, kwargs, result)
            except Exception as exc:
                self._internal_error(qname, exc)

    def on_loss_error(self, fn_name: str, args: tuple, kwargs: dict, exc: BaseException) -> None:
        """A loss function raised (class ids out of range, shapes that do not match): record what
        it was given, so the run's summary can say why, before the error reaches the user."""
        if self._busy or self.stopped or self._failed_losses >= MAX_FAILED_LOSSES:
            return  # (a loop may catch its loss errors and go on: the first few tell the story)
        self._failed_losses += 1
        try:
            from nndoctor.quantities.loss_inputs import describe_failed_call

            data = describe_failed_call(fn_name, args, kwargs)
            data["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
            self.trace.event("loss_call_failed", self.step, **data)
            self.trace.flush()
        except Exception as err:
            self._internal_error("loss error", err)

    def on_scaled_loss(self, loss: torch.Tensor, scaled: torch.Tensor) -> None:
        if not self._scaler_seen:  # AMP: skipped steps are the scaler's, not a bug
            self._scaler_seen = True
            self.trace.event("grad_scaler", self.step)
        if len(self._scaled) > 16:
            self._scaled.clear()
        self._scaled[id(scaled)] = loss

    def on_default_dropout(self, fn_name: str, p: Any, forced: bool = False) -> None:
        """``F.dropout(x, p)`` without ``training=`` (or with ``training=True``, ``forced``):
        active even when the model is in eval mode."""
        if self._busy or self.stopped or self._current_root is None:
            return
        try:
            root = self._current_root()
            if root is None or root.training or not isinstance(p, (int, float)) or p <= 0:
                return
            name = self.names.name_of(root)
            if name not in self._default_dropout_roots:
                self._default_dropout_roots.add(name)
                self.trace.event("default_dropout_in_eval", self.step, root=name, fn=fn_name, p=float(p), forced=forced)
        except Exception as exc:
            self._internal_error("dropout", exc)

    def on_zero_grad(self, optimizer: torch.optim.Optimizer) -> None:
        if self._busy or self.stopped or not self._watched(optimizer):
            return
        for qname, handler in self._handlers["on_zero_grad"]:
            try:
                handler(optimizer)
            except Exception as exc:
                self._internal_error(qname, exc)

    def on_warning(self, message: str, category: type) -> None:
        if self._busy or self.stopped:
            return
        self._emit("on_warning", message, category)

    def on_backward(self, tensor: torch.Tensor) -> None:
        if self._busy or self.stopped:
            return
        try:
            if self._stack:
                self._stack.clear()
            loss = self._scaled.pop(id(tensor), tensor) if self._scaled else tensor
            value = None
            memo = self._loss_memo
            if memo is not None and memo[0]() is loss and memo[1] == loss._version:
                value = memo[2]  # the loss function's own result, read there (loss_value)
            elif loss.numel() == 1 and loss.is_floating_point():
                if loss.is_cpu:
                    value = self.loss_value(loss)  # no sync on CPU; cheaper than float(loss.detach())
                else:
                    self._pending_losses.append((self.step, loss.detach()))
                    if len(self._pending_losses) >= 32 or self.sampled:
                        self._flush_losses()
            for qname, handler in self._handlers["on_backward"]:  # first: the rules checked below read it
                try:
                    handler(tensor, value)
                except Exception as exc:
                    self._internal_error(qname, exc)
            if value is not None and value - value != 0.0:  # not finite
                self._emit("on_nonfinite_loss", tensor, value)
                self.report_nonfinite("loss", {"loss": value})
        except Exception as exc:
            self._internal_error("backward", exc)

    def _flush_losses(self, final: bool = False) -> None:
        if not self._pending_losses:
            return
        pending, self._pending_losses = self._pending_losses, []
        values = torch.stack([v.float().to(pending[0][1].device) for _, v in pending]).tolist()
        for (step, _), v in zip(pending, values, strict=True):
            self.trace.scalar("loss", step, v)
        bad = [v for v in values if not math.isfinite(v)]
        if bad and not final:
            self.report_nonfinite("loss", {"loss": bad[0], "detected_late": True})

    # ------------------------------------------------------------------ optimizer steps
    def _watched(self, optimizer: torch.optim.Optimizer) -> bool:
        if self._watch_optimizers is not None:
            return optimizer in self._watch_optimizers
        return True

    def _before_step(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> tuple | None:
        if self._quiet_step and id(optimizer) == self._primary and len(args) <= 1 and not kwargs:
            # a plain step of the usual optimizer, no closure: no handler runs, nothing to measure
            if self._grad_norms:
                self._grad_norms.clear()
            return None
        if self._busy or self.stopped or not self._watched(optimizer):
            return None
        try:
            if id(optimizer) not in self._optimizer_labels:
                self._first_step_of(optimizer)
            # torch passes the step's own arguments with the optimizer first: (optimizer, closure)
            first = 1 if args and args[0] is optimizer else 0
            closure = kwargs.get("closure") if "closure" in kwargs else (args[first] if len(args) > first else None)
            if callable(closure):
                if self._closure_step_of is None:
                    self._closure_step_of = id(optimizer)
                return self._measure_after_closure(optimizer, closure, args, kwargs, first)
            self._gradients_ready(optimizer)
        except Exception as exc:
            self._internal_error("before_step", exc)
        return None

    def _first_step_of(self, optimizer: torch.optim.Optimizer) -> None:
        n = len(self._optimizer_labels)
        label = self._optimizer_labels[id(optimizer)] = "optimizer" if n == 0 else f"optimizer{n + 1}"
        names = variable_names_of(optimizer)  # once per optimizer: what the script calls it (d_opt)
        if names:
            self.trace.event("optimizer_variable", self.step, optimizer=label, variable=names[0])
        self._optimizers.append(weakref.ref(optimizer))
        if self._primary is None or self._primary_ref() is None:
            self._set_primary(optimizer)

    def _set_primary(self, optimizer: torch.optim.Optimizer) -> None:
        self._primary = id(optimizer)
        try:
            self._primary_ref = weakref.ref(optimizer)
        except TypeError:  # an optimizer class without weak references: never seen as gone
            self._primary_ref = lambda: optimizer

    def _gradients_ready(self, optimizer: torch.optim.Optimizer) -> None:
        self._stack.clear()
        if self._grad_norms:
            self._grad_norms.clear()
        for qname, handler in self._handlers["on_before_step"]:
            try:
                handler(optimizer)
            except Exception as exc:
                self._internal_error(qname, exc)

    def _measure_after_closure(
        self, optimizer: torch.optim.Optimizer, closure: Callable, args: tuple, kwargs: dict, at: int
    ) -> tuple[tuple, dict]:
        """``optimizer.step(closure)`` (LBFGS, Lightning's automatic optimization): the forward and
        backward run inside the step, after this pre-hook, so the gradients are measured when the
        closure first returns. The closure's result passes through unchanged."""
        measured = False

        def closure_then_measure(*a: Any, **k: Any) -> Any:
            nonlocal measured
            outer, self.in_closure = self.in_closure, True
            try:
                result = closure(*a, **k)
            finally:
                self.in_closure = outer
            if not measured and not self._busy and not self.stopped:
                measured = True
                self._safely("before_step", self._gradients_ready, optimizer)
            return result

        if "closure" in kwargs:
            return args, {**kwargs, "closure": closure_then_measure}
        return (*args[:at], closure_then_measure, *args[at + 1 :]), kwargs

    @property
    def in_step(self) -> bool:
        """True while an optimizer's ``step(closure)`` runs (see ``_closure_step_of``)."""
        return self._closure_step_of is not None

    def _after_step(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        if self._closure_step_of == id(optimizer):
            self._closure_step_of = None
        if self._busy or self.stopped or not (self._watch_optimizers is None or self._watched(optimizer)):
            return
        try:
            if not self._quiet_step:
                for qname, handler in self._handlers["on_after_step"]:
                    try:
                        handler(optimizer)
                    except Exception as exc:
                        self._internal_error(qname, exc)
            if id(optimizer) != self._primary:
                self._steps_without_primary += 1
                if self._steps_without_primary < 20 and self._primary_ref() is not None:
                    return
                self._set_primary(optimizer)  # the first optimizer was abandoned, or is gone
            self._steps_without_primary = 0
            step = self.step = self.step + 1
            self._eval_phase_calls = 0
            i = step - self._kinds_start
            if i >= len(self._kinds):
                self._kinds_start, i = step, 0
                self._kinds = self._schedule.kinds(step, step + KINDS_AHEAD)
            kind = self._kinds[i]
            if kind or not self._steady:
                self._next_step_kind(kind)
            # else: a plain step after a plain step; the tier, the handlers and the flags stay
            self._root_called = False
            if self.trace._pending:
                self.trace.flush()
            self._clock_countdown -= 1
            if self._clock_countdown <= 0:
                self._read_clock()
        except Exception as exc:
            self._internal_error("after_step", exc)

    def _read_clock(self) -> None:
        """Check the live rules if a check is due, and count the steps to the next clock read."""
        now = self._clock()
        if now - self._last_check >= self._check_interval:
            self._check_rules()
            now = self._last_check
        last_time, last_step = self._clock_read
        self._clock_read = (now, self.step)
        per_step = (now - last_time) / max(1, self.step - last_step)
        remaining = self._last_check + self._check_interval - now
        steps = int(remaining / per_step / 2) if per_step > 0 else 1
        self._clock_countdown = min(MAX_STEPS_BETWEEN_CLOCK_READS, max(1, steps))

    def _next_step_kind(self, kind: int) -> None:
        """Set up the step that starts now: its kind (2 sampled, 1 frequent, 0 plain), the
        handlers of its tier, the quantities watching it, and the module hooks."""
        was_sampled = self.sampled
        self.sampled, self.frequent = kind == 2, kind != 0
        if self.sampled:
            self._samples += 1
            self.full_sample = self.schedule.full(self._samples)
            self._tier = 2 if self.full_sample else 3
        else:
            self.full_sample = False
            self._tier = int(self.frequent)
        if self._watch_next or self._watching:
            self._watching = frozenset(self._watch_next)
            self._watch_next.clear()
        if self._armed and not self.sampled:
            self._disarm()
        elif self.sampled and self._discover and not self._root_called and not self._armed:
            # No model the monitor knows trained in the last step: the script trains a new one (a
            # k-fold loop's next fold, a model rebuilt after a change). Arm now, so its first
            # forward finds it, rather than waiting for a known model that never comes.
            self._arm()
        else:
            self._select_handlers()
        if was_sampled:
            self._flush_losses()

    # ------------------------------------------------------------------ rules
    def _check_rules(self, final: bool = False) -> None:
        started = self._clock()
        try:
            self._run_rules(self.trace.view(final=final), final)
        finally:
            self._last_check = self._clock()
            self._check_interval = max(RULE_CHECK_INTERVAL, (self._last_check - started) / RULE_CHECK_BUDGET)

    def _run_rules(self, view: Any, final: bool) -> None:
        checked: set[int] = set()  # (ids of the) rules whose final check ran to the end
        confirmed: set[tuple[str, str | None]] = set()
        new: list[tuple[str, str | None]] = []
        for rule in self.rules:
            label = f"rule {rule.id} ({type(rule).__name__})"  # (two rules may share an id)
            if rule.id in self.ignore or (label in self._errors and not final):
                continue  # (one that failed on a prefix of the run still gets the end's check)
            try:
                found = list(rule.check(view))
            except Exception as exc:
                self._internal_error(label, exc)
                continue
            checked.add(id(rule))
            for f in found:
                is_new = f.key not in self._findings
                self._findings[f.key] = f
                self._made_by[f.key] = rule
                confirmed.add(f.key)
                if is_new:
                    new.append(f.key)
        if not final:
            if new and self.on_finding is not None:
                self._report_live(new)
            return
        for key in list(self._findings):
            rule = self._made_by.get(key)
            if rule is not None and rule.retractable and id(rule) in checked and key not in confirmed:
                live = self._findings.pop(key)
                if not any(k[0] == key[0] and _same_place(k[1], key[1]) for k in confirmed):
                    self._resolved[key] = live  # (else restated at the end, placed otherwise: not resolved)

    def _report_live(self, keys: list[tuple[str, str | None]]) -> None:
        """Print the findings one check made, causes first: each read against everything found
        so far (:func:`nndoctor.causes.link_causes`), so a symptom found after its cause, or with
        it, says what it follows from the moment it is printed."""
        wanted = set(keys)
        linked = self._safely("report", link_causes, list(self._findings.values()))
        found = [f for f in linked or self._findings.values() if f.key in wanted]
        for f in sort_findings(found):
            self._safely("report", self.on_finding, f)


def _same_place(a: str | None, b: str | None) -> bool:
    """Two findings' ``where`` name the same place, or one does not say (``model`` and ``model.fc``,
    ``model`` and None): the same problem seen from two sides."""
    return a is None or b is None or a == b or a.startswith(b + ".") or b.startswith(a + ".")


def active_monitor() -> Monitor | None:
    """The monitor currently watching, if any."""
    return _ACTIVE
