"""ember.utils.tensorboard.SummaryWriter: events written with tensorboardX are read back with
tensorboard's own EventAccumulator."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ember
import ember.nn as nn


@pytest.fixture
def reader():
    pytest.importorskip("tensorboardX")
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    def read(log_dir):
        return EventAccumulator(log_dir, size_guidance={"scalars": 0, "histograms": 0,
                                                        "images": 0, "tensors": 0}).Reload()
    return read


@pytest.fixture
def SummaryWriter():
    pytest.importorskip("tensorboardX")
    from ember.utils.tensorboard import SummaryWriter
    return SummaryWriter


def test_scalars_read_back(tmp_path, SummaryWriter, reader):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_scalar("loss", 1.5, 0)
        w.add_scalar("loss", ember.tensor(0.25), 1)           # one-element tensor
        w.add_scalar("loss", np.float32(0.125), 2)            # numpy scalar
        w.add_scalar("acc", ember.tensor([0.75]), 7)
    ea = reader(str(tmp_path))
    assert set(ea.Tags()["scalars"]) == {"loss", "acc"}
    ev = ea.Scalars("loss")
    assert [e.step for e in ev] == [0, 1, 2]
    assert [e.value for e in ev] == [1.5, 0.25, 0.125]
    assert [(e.step, e.value) for e in ea.Scalars("acc")] == [(7, 0.75)]


def test_add_scalar_rejects_multi_element(tmp_path, SummaryWriter):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises((ValueError, RuntimeError)):
            w.add_scalar("x", ember.tensor([1.0, 2.0]), 0)


def test_add_scalars_writes_one_run_per_key(tmp_path, SummaryWriter, reader):
    with SummaryWriter(str(tmp_path)) as w:
        for step in range(3):
            w.add_scalars("loss", {"train": 1.0 / (step + 1), "val": 2.0 / (step + 1)}, step)
    # as PyTorch: <log_dir>/<main_tag>_<key>/ holds the events of each curve
    ea = reader(str(tmp_path / "loss_val"))
    assert [e.value for e in ea.Scalars("loss")] == pytest.approx([2.0, 1.0, 2.0 / 3])


def test_histograms_read_back(tmp_path, SummaryWriter, reader):
    ember.manual_seed(0)
    t = ember.randn(1000)
    a = np.arange(10)                                    # ints are accepted too
    with SummaryWriter(str(tmp_path)) as w:
        w.add_histogram("weights", t, 0)
        w.add_histogram("weights", t * 2, 1)
        w.add_histogram("ints", a, 3)
        w.add_histogram("grad", nn.Parameter(ember.ones(3, 4)), 0)   # requires_grad is fine
    ea = reader(str(tmp_path))
    assert set(ea.Tags()["histograms"]) == {"weights", "ints", "grad"}
    h = ea.Histograms("weights")
    assert [e.step for e in h] == [0, 1]
    hv = h[0].histogram_value
    x = t.numpy()
    assert hv.num == 1000
    assert hv.min == pytest.approx(float(x.min()))
    assert hv.max == pytest.approx(float(x.max()))
    assert hv.sum == pytest.approx(float(x.astype(np.float64).sum()), rel=1e-5, abs=1e-3)
    assert sum(hv.bucket) == 1000
    assert h[1].histogram_value.max == pytest.approx(2 * float(x.max()))
    hi = ea.Histograms("ints")[0].histogram_value
    assert (hi.num, hi.min, hi.max, hi.sum) == (10, 0, 9, 45)


def test_histogram_of_empty_tensor_raises(tmp_path, SummaryWriter):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(ValueError, match="empty"):
            w.add_histogram("e", ember.zeros(0), 0)


def test_image_text_hparams(tmp_path, SummaryWriter, reader):
    img = ember.rand(3, 8, 12)                      # CHW floats in [0, 1]
    with SummaryWriter(str(tmp_path)) as w:
        w.add_image("img", img, 0)
        w.add_image("hwc", np.zeros((5, 6, 3), dtype=np.uint8), 0, dataformats="HWC")
        w.add_text("note", "hello ember", 2)
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hparam/acc": 0.9}, run_name="run1")
    ea = reader(str(tmp_path))
    im = ea.Images("img")[0]
    assert (im.width, im.height) == (12, 8)
    im2 = ea.Images("hwc")[0]
    assert (im2.width, im2.height) == (6, 5)
    txt = ea.Tensors("note/text_summary")[0]
    assert txt.step == 2
    assert txt.tensor_proto.string_val[0] == b"hello ember"
    assert os.path.isdir(tmp_path / "run1")
    ea_h = reader(str(tmp_path / "run1"))
    assert [e.value for e in ea_h.Scalars("hparam/acc")] == [pytest.approx(0.9)]


def test_pr_curve_and_figure(tmp_path, SummaryWriter, reader):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    from tensorboard.util import tensor_util
    labels = ember.tensor([0, 1, 1, 0, 1])
    preds = ember.tensor([0.1, 0.9, 0.8, 0.3, 0.4])
    with SummaryWriter(str(tmp_path)) as w:
        w.add_pr_curve("pr", labels, preds, 4, num_thresholds=5)
        fig = Figure(figsize=(2, 1), dpi=50)
        fig.add_subplot(1, 1, 1).plot([0, 1], [1, 0])
        w.add_figure("fig", fig, 0)
    ea = reader(str(tmp_path))
    ev = ea.Tensors("pr")[0]
    assert ev.step == 4
    # rows TP, FP, TN, FN, precision, recall at thresholds 0, .25, .5, .75, 1
    table = tensor_util.make_ndarray(ev.tensor_proto)
    np.testing.assert_allclose(table[:4], [[3, 3, 2, 2, 0], [2, 1, 0, 0, 0], [0, 1, 2, 2, 2],
                                           [0, 0, 1, 1, 3]])
    np.testing.assert_allclose(table[4, :3], [0.6, 0.75, 1.0], rtol=1e-6)
    im = ea.Images("fig")[0]
    assert (im.width, im.height) == (100, 50)


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.head = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.head(self.act(self.fc1(x)))


def test_add_graph_module_tree(tmp_path, SummaryWriter, reader):
    model = _Net()
    model.train()
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(model, ember.randn(2, 4))
    assert model.training                         # restored after the traced pass
    assert not model.fc1._forward_hooks           # hooks removed
    ea = reader(str(tmp_path))
    g = ea.Graph()
    nodes = {n.name: n for n in g.node}
    assert list(nodes) == ["input/input.0", "_Net/fc1", "_Net/act", "_Net/head/0",
                           "_Net/head/1", "output/output.0"]
    assert nodes["_Net/fc1"].op == "Linear"
    assert list(nodes["_Net/fc1"].input) == ["input/input.0"]
    assert list(nodes["_Net/head/0"].input) == ["_Net/act"]
    assert list(nodes["output/output.0"].input) == ["_Net/head/1"]
    shape = nodes["_Net/head/0"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [2, 3]
    assert b"in_features=8" in nodes["_Net/head/0"].attr["attr"].s
    tree = ea.Tensors("graph/modules/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "fc1: Linear (40 params)" in tree and "head: Sequential" in tree


def test_add_graph_needs_input(tmp_path, SummaryWriter):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(ValueError, match="input_to_model"):
            w.add_graph(_Net())


def test_default_log_dir_and_flush(tmp_path, monkeypatch, SummaryWriter, reader):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_exp")
    assert w.get_logdir().startswith(os.path.join("runs", "")) and w.get_logdir().endswith("_exp")
    w.add_scalar("a", 3.0, 0)
    w.flush()
    assert [e.value for e in reader(w.get_logdir()).Scalars("a")] == [3.0]
    w.close()


_BLOCK = textwrap.dedent("""
    import sys
    class _Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {BLOCKED}:
                raise ImportError("No module named " + repr(name))
            return None
    sys.meta_path.insert(0, _Block())
""")


def run_without(blocked, code):
    """Run ``code`` in a fresh interpreter where the ``blocked`` top-level packages are
    missing; returns the CompletedProcess."""
    src = _BLOCK.replace("{BLOCKED}", repr(set(blocked))) + textwrap.dedent(code)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.run([sys.executable, "-c", src], cwd=root, capture_output=True,
                          text=True, timeout=120)


def test_without_tensorboardx_core_imports_and_hint_is_one_line():
    r = run_without(["tensorboardX", "tensorboard"], """
        import ember, ember.nn
        import ember.utils.tensorboard as tb     # importing never needs tensorboardX
        try:
            tb.SummaryWriter("unused")
        except ImportError as e:
            print("HINT:" + str(e))
    """)
    assert r.returncode == 0, r.stderr
    hint = [l for l in r.stdout.splitlines() if l.startswith("HINT:")]
    assert hint == ["HINT:ember.utils.tensorboard needs tensorboardX: "
                    "pip install 'ember[tensorboard]'"]
