"""Sequential, ModuleList, ModuleDict, ParameterList/Dict."""
from collections import OrderedDict

import pytest

import ember
import ember.nn as nn


def test_sequential_index_slice_setitem_and_forward():
    s = nn.Sequential(nn.Linear(2, 3), nn.Identity(), nn.Linear(3, 1))
    assert isinstance(s[0], nn.Linear) and isinstance(s[-1], nn.Linear)
    head = s[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    s[2] = nn.Linear(3, 4)   # the book's head swap (Listing 6-16)
    assert s[2].out_features == 4
    assert tuple(s(ember.ones(5, 2)).shape) == (5, 4)
    with pytest.raises(IndexError):
        s[3]
    del s[1]
    assert [k for k in s._modules] == ["0", "1"]
    s.append(nn.Identity())
    assert len(s) == 3


def test_sequential_from_ordered_dict_keeps_names():
    s = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Identity())]))
    assert list(dict(s.named_parameters())) == ["fc.weight", "fc.bias"]
    assert repr(s).splitlines()[1] == "  (fc): Linear(in_features=2, out_features=2, bias=True)"


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(ml.parameters())) == 6
    assert "2.bias" in dict(ml.named_parameters())
    ml.append(nn.Identity())
    assert len(ml) == 4 and isinstance(ml[-1], nn.Identity)
    assert repr(nn.ModuleList()) == "ModuleList()"
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Identity()
    assert list(md.keys()) == ["a", "b"] and "a" in md
    assert list(dict(md.named_parameters())) == ["a.weight", "a.bias"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(ember.ones(2)), ember.zeros(3)])
    assert len(list(pl.parameters())) == 2 and all(p.requires_grad for p in pl)
    pd = nn.ParameterDict({"w": nn.Parameter(ember.ones(1))})
    assert list(dict(pd.named_parameters())) == ["w"]
