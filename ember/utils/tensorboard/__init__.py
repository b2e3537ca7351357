"""``ember.utils.tensorboard``: PyTorch's ``SummaryWriter`` API, written with tensorboardX.

``from ember.utils.tensorboard import SummaryWriter`` works like
``from torch.utils.tensorboard import SummaryWriter``: scalars, grouped scalars, histograms of
tensors or arrays, images (``CHW`` by default), text, hyper-parameters, PR curves, matplotlib
figures, and the model graph.  Values may be ember tensors, NumPy arrays, lists or numbers.

tensorboardX (and tensorboard, to view the logs) are optional: ``pip install 'ember[tensorboard]'``.
Importing this module never needs them; creating a ``SummaryWriter`` does.

``add_graph`` differs from PyTorch in how the graph is found: PyTorch traces with
``torch.jit``; ember runs one forward pass with forward hooks on every module and writes a
``GraphDef`` whose nodes are the modules actually called (scoped by their dotted names, op =
class name, with output shapes and the module repr as attributes), connected by the tensors
that flow between them.  Tensors made by functional code between modules are linked to the
most recently run module.  A text rendering of the module tree (``named_modules``) is logged
under the tag ``graph/modules`` as well, so the structure is readable in the Text tab too.
"""
import os
import time

import numpy as np

__all__ = ["SummaryWriter"]

_HINT = "pip install 'ember[tensorboard]'"


def _require_tensorboardx():
    try:
        import tensorboardX
    except ImportError as e:  # one line that says what to install
        raise ImportError(f"ember.utils.tensorboard needs tensorboardX: {_HINT}") from e
    return tensorboardX


def _to_numpy(x):
    from ...tensor import Tensor
    if isinstance(x, Tensor):
        return np.asarray(x.detach()._data)
    return np.asarray(x)


def _to_scalar(x):
    from ...tensor import Tensor
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.item()
    return x


def _flatten_outputs(out):
    from ...tensor import Tensor
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (list, tuple)):
        res = []
        for o in out:
            res.extend(_flatten_outputs(o))
        return res
    if isinstance(out, dict):
        res = []
        for o in out.values():
            res.extend(_flatten_outputs(o))
        return res
    return []


def module_tree_text(model):
    """A text rendering of ``model.named_modules()``: one line per module with its dotted name,
    class, and parameter count."""
    lines = []
    for name, mod in model.named_modules():
        depth = 0 if not name else name.count(".") + 1
        n_params = sum(p.numel() for p in mod.parameters(recurse=False))
        label = name or type(model).__name__
        lines.append(f"{'    ' * depth}{label}: {type(mod).__name__}"
                     + (f" ({n_params} params)" if n_params else ""))
    return "\n".join(lines)


def _build_graph_def(model, input_to_model):
    """Run ``model`` once with forward hooks on every module and build a GraphDef of the
    modules that ran (see the module docstring)."""
    from tensorboardX.proto.graph_pb2 import GraphDef
    from tensorboardX.proto.node_def_pb2 import NodeDef
    from tensorboardX.proto.attr_value_pb2 import AttrValue
    from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboardX.proto.versions_pb2 import VersionDef
    from ...autograd import no_grad

    if input_to_model is None:
        raise ValueError("add_graph needs input_to_model: ember finds the graph by running "
                         "one forward pass")
    args = input_to_model if isinstance(input_to_model, (list, tuple)) else (input_to_model,)
    root = type(model).__name__
    nodes = []
    producer = {}       # id(tensor) -> node name
    keep = []           # keep outputs alive so ids stay unique during the pass
    last = [None]

    def shape_attr(tensors):
        shapes = [TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(s)) for s in t.shape])
                  for t in tensors]
        return AttrValue(list=AttrValue.ListValue(shape=shapes))

    for i, a in enumerate(_flatten_outputs(list(args))):
        name = f"input/input.{i}"
        nodes.append(NodeDef(name=name, op="IO Node", attr={"_output_shapes": shape_attr([a])}))
        producer[id(a)] = name
        keep.append(a)
        last[0] = name

    has_children = {n for n, m in model.named_modules() if any(True for _ in m.children())}
    handles = []
    counts = {}

    def make_hook(mod_name, mod):
        scope = root + ("/" + mod_name.replace(".", "/") if mod_name else "")

        def hook(module, inputs, output):
            if mod_name in has_children:
                return None      # containers: their children are the nodes
            k = counts.get(scope, 0)
            counts[scope] = k + 1
            name = scope if k == 0 else f"{scope}.{k}"
            ins = []
            for t in _flatten_outputs(list(inputs)):
                src = producer.get(id(t), last[0])
                if src is not None and src not in ins:
                    ins.append(src)
            if not ins and last[0] is not None:
                ins.append(last[0])
            outs = _flatten_outputs(output)
            nodes.append(NodeDef(name=name, op=type(module).__name__, input=ins, attr={
                "_output_shapes": shape_attr(outs),
                "attr": AttrValue(s=repr(module).encode("utf-8"))}))
            for t in outs:
                producer[id(t)] = name
                keep.append(t)
            last[0] = name
            return None
        return hook

    for mod_name, mod in model.named_modules():
        handles.append(mod.register_forward_hook(make_hook(mod_name, mod)))
    was_training = model.training
    try:
        model.eval()
        with no_grad():
            out = model(*args)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    for i, t in enumerate(_flatten_outputs(out)):
        src = producer.get(id(t), last[0])
        nodes.append(NodeDef(name=f"output/output.{i}", op="IO Node", input=[src],
                             attr={"_output_shapes": shape_attr([t])}))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))


def _drain(ev):
    """Make a tensorboardX EventFileWriter write out its queue: stop its logger thread (it
    handles every queued event before the stop signal), flush, and start a new thread."""
    worker = getattr(ev, "_worker", None)
    if ev is None or getattr(ev, "_closed", True) or worker is None:
        return
    try:
        from tensorboardX.event_file_writer import _EventLoggerThread
    except ImportError:
        return
    worker.stop()
    ev._ev_writer.flush()
    ev._worker = _EventLoggerThread(ev._event_queue, ev._ev_writer, ev._flush_secs)
    ev._worker.start()


class SummaryWriter:
    """Writes TensorBoard event files (PyTorch's ``torch.utils.tensorboard.SummaryWriter``).

    ``log_dir`` defaults to ``runs/CURRENT_DATETIME_HOSTNAME`` plus ``comment``, as PyTorch.
    Use as a context manager or call ``close()``.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        tbx = _require_tensorboardx()
        if log_dir is not None:
            log_dir = os.fspath(log_dir)
        self._writer = tbx.SummaryWriter(log_dir=log_dir, comment=comment, purge_step=purge_step,
                                         max_queue=max_queue, flush_secs=flush_secs,
                                         filename_suffix=filename_suffix)
        self.log_dir = self._writer.logdir

    def get_logdir(self):
        """The directory event files are written to."""
        return self.log_dir

    # ----- scalars ------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        value = _to_scalar(scalar_value)
        if isinstance(value, str):
            raise TypeError("add_scalar expects a number or a one-element tensor, got a str")
        self._writer.add_scalar(tag, float(value), global_step=global_step, walltime=walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves in one chart: as PyTorch, each key's values go to the run
        ``<log_dir>/<main_tag>_<key>`` under the tag ``main_tag``."""
        from tensorboardX.writer import FileWriter
        from tensorboardX.summary import scalar
        walltime = time.time() if walltime is None else walltime
        w = self._writer
        fw_logdir = w._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = w.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(logdir=fw_tag, max_queue=w._max_queue,
                                flush_secs=w._flush_secs, filename_suffix=w._filename_suffix)
                w.all_writers[fw_tag] = fw
            fw.add_summary(scalar(main_tag, float(_to_scalar(value))), global_step, walltime)

    # ----- histograms ---------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        arr = _to_numpy(values)
        if arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.integer):
            arr = arr.astype(np.float64)
        if arr.size == 0:
            raise ValueError(f"add_histogram: '{tag}' got an empty tensor")
        self._writer.add_histogram(tag, arr, global_step=global_step, bins=bins,
                                   walltime=walltime, max_bins=max_bins)

    # ----- images, figures ----------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        self._writer.add_image(tag, _to_numpy(img_tensor), global_step=global_step,
                               walltime=walltime, dataformats=dataformats)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        self._writer.add_images(tag, _to_numpy(img_tensor), global_step=global_step,
                                walltime=walltime, dataformats=dataformats)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        self._writer.add_figure(tag, figure, global_step=global_step, close=close,
                                walltime=walltime)

    # ----- text, hparams, pr curves -------------------------------------------------------
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        self._writer.add_text(tag, text_string, global_step=global_step, walltime=walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log a hyper-parameter configuration and its metrics (HParams tab); as PyTorch, in a
        sub-run named ``run_name`` (default: the current time)."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        hp = {k: (_to_scalar(v) if not isinstance(v, (str, bool)) else v)
              for k, v in hparam_dict.items()}
        metrics = {k: float(_to_scalar(v)) for k, v in metric_dict.items()}
        self._writer.add_hparams(hp, metrics, name=run_name or str(time.time()),
                                 global_step=global_step)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        self._writer.add_pr_curve(tag, _to_numpy(labels), _to_numpy(predictions),
                                  global_step=global_step, num_thresholds=num_thresholds,
                                  weights=None if weights is None else _to_numpy(weights),
                                  walltime=walltime)

    # ----- graph --------------------------------------------------------------------------
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Write the graph of the modules that run on ``input_to_model`` (Graphs tab) and the
        module tree as text under ``graph/modules`` (see the module docstring)."""
        from tensorboardX.proto import event_pb2
        graph = _build_graph_def(model, input_to_model)
        if verbose:
            print(graph)
        self._writer._get_file_writer().add_event(
            event_pb2.Event(graph_def=graph.SerializeToString()))
        self.add_text("graph/modules", "```\n" + module_tree_text(model) + "\n```")

    # ----- lifecycle ----------------------------------------------------------------------
    def flush(self):
        """Write every pending event to disk before returning (as PyTorch's flush does;
        tensorboardX's own flush does not wait for its writer thread's queue)."""
        writers = self._writer.all_writers or {}
        for fw in list(writers.values()):
            _drain(getattr(fw, "event_writer", None))
        self._writer.flush()

    def close(self):
        self._writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
