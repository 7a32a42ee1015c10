"""The shared tensor helpers against slow, obviously right versions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nndoctor.quantities._tensors import (
    HOST_LIMIT,
    NodeNames,
    host_relative_spread,
    l2_norms,
    relative_spread,
    tensors_in,
    unit_dim,
    walk_graph,
)


def test_relative_spread_matches_numpy():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 5, generator=g) * 3 + 1
    a = x.numpy()
    expected = np.mean(np.std(a, axis=0, ddof=1)) / np.mean(np.abs(a))
    assert abs(relative_spread(x) - expected) < 1e-5
    assert relative_spread(torch.ones(8, 3) * 7) == 0.0
    assert abs(host_relative_spread(a) - expected) < 1e-5
    assert host_relative_spread(np.ones((8, 3)) * 7) == 0.0


def test_walk_graph_visits_every_node_once():
    x = torch.randn(4, 3, requires_grad=True)
    h = x * 2
    y = (h.exp() + h.sin()).sum()

    def slow(node, seen):
        if node is None or node in seen:
            return
        seen.append(node)
        for nxt, _ in node.next_functions:
            slow(nxt, seen)

    expected: list = []
    slow(y.grad_fn, expected)
    got = list(walk_graph(y.grad_fn))
    assert len(got) == len(expected) == len({id(n) for n in got})


def test_node_names_find_the_module_through_views():
    fc = nn.Linear(3, 4)
    out = fc(torch.randn(2, 3))
    names = NodeNames()
    names.add(out, "model.fc", fc)
    viewed = out.view(2, 2, 2).transpose(1, 2)
    assert names.lookup(viewed.grad_fn) == ("model.fc", "Linear")
    assert names.lookup(F.relu(out).grad_fn) is None
    assert names.lookup(viewed.grad_fn, through_views=False) is None
    names.clear()
    assert names.lookup(out.grad_fn) is None


def test_unit_dim_and_tensors_in():
    assert unit_dim(torch.zeros(4, 7)) == 1
    assert unit_dim(torch.zeros(4, 3, 8, 8)) == 1
    assert unit_dim(torch.zeros(4, 10, 6)) == 2  # (N, T, C) sequence
    assert unit_dim(torch.zeros(4, 10, 6), "Conv1d") == 1  # (N, C, L)
    a, b = torch.zeros(1), torch.ones(2)
    assert [t is a or t is b for t in tensors_in({"x": (a, [b]), "y": 3})] == [True, True]


def test_l2_norms_match_torch_on_every_path():
    g = torch.Generator().manual_seed(0)
    tensors = [
        torch.randn(64, 32, generator=g),  # NumPy dot
        torch.randn(10, generator=g, dtype=torch.float64),
        torch.randn(32, 64, generator=g).t(),  # non-contiguous: raveled copy
        torch.randn(HOST_LIMIT + 1, generator=g),  # large: torch
        torch.randn(8, generator=g).to(torch.bfloat16),  # no NumPy dtype: torch
        torch.randn(8, generator=g).requires_grad_(),  # no .numpy(): torch
        torch.zeros(0),
    ]
    expected = [float(torch.linalg.vector_norm(t.detach().double())) for t in tensors]
    got = l2_norms(tensors)
    assert len(got) == len(tensors) and all(isinstance(v, float) for v in got)
    for e, v in zip(expected, got, strict=True):
        assert abs(v - e) <= 1e-2 * max(e, 1e-6)  # bfloat16 rounds; the rest agree to float32
    assert l2_norms([]) == []


def test_l2_norms_give_torch_answers_where_the_dot_overflows():
    import warnings

    big = torch.tensor([1e20])  # the float32 dot overflows; torch's norm of one element does not
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow warning reaches the user
        norms = l2_norms([big, torch.tensor([1.0, float("nan")]), torch.tensor([float("inf")])])
    assert norms[0] == float(torch._foreach_norm([big])[0]) == pytest.approx(1e20)
    assert np.isnan(norms[1]) and norms[2] == float("inf")
