"""``ember.save`` / ``ember.load``: PyTorch-format checkpoints, loaded without running code.

File format (the one ``torch.save`` writes since PyTorch 1.6, so files move both ways)::

    archive/data.pkl        the object tree, a protocol-2 pickle; tensors are
                            torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
                            requires_grad, OrderedDict()) and Parameters
                            torch._utils._rebuild_parameter(tensor, requires_grad, OrderedDict());
                            each storage is a persistent id
                            ("storage", torch.<Type>Storage, key, "cpu", numel)
    archive/byteorder       "little"
    archive/data/<key>      the raw little-endian bytes of one storage, 64-byte aligned
    archive/version         "3"

Loading never unpickles with the full ``pickle`` machinery: ``data.pkl`` is read by an unpickler
whose ``find_class`` admits only a fixed allowlist (OrderedDict, Counter, set, frozenset, complex,
bytearray, slice, ``_codecs.encode`` for latin-1 bytes, torch's tensor/parameter rebuild
functions, storage classes, dtypes, ``torch.Size`` and ``torch.device``) and maps each torch name to
ember code written here; it never imports a module. Any other global raises
``pickle.UnpicklingError`` naming it. ``weights_only=False`` additionally admits NumPy arrays,
scalars and dtypes (found in older checkpoints); ``add_safe_globals`` admits plain-data classes
the caller trusts. Tensors are copied out of their storages after bounds checks, so a crafted
size/stride cannot read outside the file's data. Truncated or damaged files (zip CRCs are checked)
raise ``RuntimeError("... is truncated or corrupt ...")``.

``ember.save`` writes only what ``ember.load`` can read back (tensors, dicts, OrderedDicts, lists,
tuples, sets and plain values) and refuses anything else up front. Writes to a path go to a
temporary file in the same directory, are flushed and fsync'ed, then ``os.replace``'d over the
target, so a crash never leaves a half-written checkpoint. Each tensor gets its own storage
holding exactly its elements (a view is saved compactly, non-contiguous tensors as contiguous).
``torch.bfloat16`` and ``torch.complex32`` tensors (no ember dtype) load exactly as float32 and
complex64, with a warning; other torch-only dtypes, sparse and quantized tensors are refused.
"""
import _compat_pickle
import codecs
import collections
import io
import os
import pickle
import struct
import warnings
import zipfile
import zlib

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals"]

_ALIGN = 64
_ARCHIVE = "archive"
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"
_ZIP_MAGIC = b"PK\x03\x04"

# ember dtype name -> torch legacy storage class name (the name in the persistent id)
_STORAGE_OF = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
               "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
               "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
               "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage"}
_DTYPE_OF_STORAGE = {v: k for k, v in _STORAGE_OF.items()}
# torch dtype names (canonical and aliases) -> ember dtype name
_TORCH_DTYPES = {n: n for n in _STORAGE_OF}
_TORCH_DTYPES.update(float="float32", double="float64", half="float16", long="int64", int="int32",
                     short="int16", cfloat="complex64", cdouble="complex128")
# torch-only dtypes that load exactly as a wider ember dtype: name -> bytes per element
_WIDENED = {"bfloat16": 2, "complex32": 4, "chalf": 4}
_USER_SAFE = {}


def add_safe_globals(safe_globals):
    """Let ``ember.load`` rebuild these trusted plain-data classes/functions from files."""
    for g in safe_globals:
        if isinstance(g, tuple):
            g, name = g
        else:
            name = f"{g.__module__}.{g.__qualname__}"
        _USER_SAFE[name] = g


def get_safe_globals():
    return list(_USER_SAFE.values())


def clear_safe_globals():
    _USER_SAFE.clear()


# =================================================================================== saving
class _GlobalRef:
    """A ``module.name`` global written into the pickle without importing ``module``."""

    __slots__ = ("module", "name")
    _cache = {}

    def __new__(cls, module, name):
        key = (module, name)
        ref = cls._cache.get(key)
        if ref is None:
            ref = object.__new__(cls)
            ref.module, ref.name = module, name
            cls._cache[key] = ref
        return ref

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a pickle reference, not a function")


class _StorageRef:
    __slots__ = ("key", "type_name", "numel")

    def __init__(self, key, type_name, numel):
        self.key, self.type_name, self.numel = key, type_name, numel


class _PlainTensor:
    """Wraps a Parameter's data so it pickles as a plain tensor inside _rebuild_parameter."""

    __slots__ = ("t",)

    def __init__(self, t):
        self.t = t


_REBUILD_TENSOR = _GlobalRef("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAM = _GlobalRef("torch._utils", "_rebuild_parameter")
_SAVE_PLAIN = frozenset([type(None), bool, int, float, complex, str, bytes, bytearray, list,
                         tuple, dict, collections.OrderedDict, set, frozenset, slice,
                         collections.Counter])
_SAVE_GLOBALS = (collections.OrderedDict, collections.Counter, set, frozenset, complex, bytes,
                 bytearray, slice, codecs.encode)


class _Pickler(pickle._Pickler):
    """Writes data.pkl: plain values as usual, ember objects under their torch names."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = []
        from .tensor import Tensor, Size
        from ._dtype import dtype
        from .backend.device import device
        self._types = (Tensor, Size, dtype, device)

    def _save_globalref(self, ref):
        self.write(pickle.GLOBAL + f"{ref.module}\n{ref.name}\n".encode("utf-8"))
        self.memoize(ref)

    dispatch[_GlobalRef] = _save_globalref

    def save(self, obj, save_persistent_id=True):
        if type(obj) is self._types[2]:  # a dtype is the bare global torch.<name>
            obj = _GlobalRef("torch", obj.name)
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _GlobalRef("torch", obj.type_name), obj.key, "cpu", obj.numel)
        return None

    def _tensor_reduce(self, t):
        arr = t._data
        if not arr.flags.c_contiguous:  # (np.ascontiguousarray would make 0-d arrays 1-d)
            arr = arr.copy(order="C")
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        key = str(len(self.storages))
        self.storages.append((key, arr))
        ref = _StorageRef(key, _STORAGE_OF[arr.dtype.name], arr.size)
        stride, acc = [], 1
        for s in reversed(arr.shape):
            stride.append(acc)
            acc *= max(s, 1)
        return (_REBUILD_TENSOR, (ref, 0, tuple(arr.shape), tuple(reversed(stride)),
                                  bool(t._rg), collections.OrderedDict()))

    def reducer_override(self, obj):
        t = type(obj)
        if t in _SAVE_PLAIN or t is _GlobalRef:
            return NotImplemented
        Tensor, Size, dtype, device = self._types
        if t is _PlainTensor:
            return self._tensor_reduce(obj.t)
        if isinstance(obj, Tensor):
            if t.__name__ == "Parameter":
                return (_REBUILD_PARAM, (_PlainTensor(obj), bool(obj._rg),
                                         collections.OrderedDict()))
            return self._tensor_reduce(obj)
        if t is Size:
            return (_GlobalRef("torch", "Size"), (tuple(obj),))
        if t is device:
            return (_GlobalRef("torch", "device"),
                    (obj.type,) if obj.index is None else (obj.type, obj.index))
        if any(obj is g for g in _SAVE_GLOBALS):
            return NotImplemented
        for g in _USER_SAFE.values():
            if obj is g or t is g:
                return NotImplemented
        hint = ""
        if isinstance(obj, (np.ndarray, np.generic)):
            hint = (" Convert NumPy arrays with ember.from_numpy(a) and NumPy scalars with "
                    ".item().")
        elif hasattr(obj, "state_dict"):
            hint = " Save obj.state_dict() instead."
        raise TypeError(
            f"ember.save: cannot save an object of type {t.__module__}.{t.__qualname__}: ember "
            "files hold only tensors, dicts, OrderedDicts, lists, tuples, sets and plain values "
            "(int, float, complex, bool, str, bytes, None), so that ember.load never runs code "
            f"from a file.{hint} Trusted plain-data classes can be registered with "
            "ember.serialization.add_safe_globals([cls]).")


def _write_record(zf, name, data):
    """Add a stored (uncompressed) record whose data starts at a 64-byte aligned offset."""
    mv = memoryview(data)
    n = mv.nbytes
    zi = zipfile.ZipInfo(f"{_ARCHIVE}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    zi.file_size = n
    zip64 = n * 1.05 > zipfile.ZIP64_LIMIT
    start = zf.start_dir + 30 + len(zi.filename.encode("utf-8")) + 4 + (20 if zip64 else 0)
    pad = -start % _ALIGN
    zi.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    with zf.open(zi, "w", force_zip64=zip64) as w:
        if n:
            w.write(mv)


def _write_archive(fileobj, obj, protocol, byteorder=True):
    buf = io.BytesIO()
    p = _Pickler(buf, protocol)
    p.dump(obj)           # fails on an unsaveable object before anything is written
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, "data.pkl", buf.getbuffer())
        if byteorder:
            _write_record(zf, "byteorder", b"little")
        for key, arr in p.storages:
            _write_record(zf, f"data/{key}", arr.reshape(-1).view(np.uint8))
        _write_record(zf, "version", b"3\n")


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save tensors, state_dicts and optimizer state to a path or binary file object.

    The file is in PyTorch's zip format (``torch.load`` reads it). Writing to a path is atomic.
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError("ember.save writes with its own restricted pickler; pickle_module is "
                        "not supported")
    if not _use_new_zipfile_serialization:
        raise ValueError("ember.save writes only the zip format "
                         "(_use_new_zipfile_serialization=True)")
    if not isinstance(pickle_protocol, int) or not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"pickle_protocol must be an int in [2, {pickle.HIGHEST_PROTOCOL}], "
                         f"got {pickle_protocol!r}")
    if not isinstance(f, (str, os.PathLike)):
        if not hasattr(f, "write"):
            raise AttributeError(f"ember.save: expected a path or a binary file object with a "
                                 f"write method, got {type(f).__name__}")
        _write_archive(f, obj, pickle_protocol, not _disable_byteorder_record)
        return
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if os.path.islink(path):
        path = os.path.realpath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_archive(fh, obj, pickle_protocol, not _disable_byteorder_record)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        try:
            dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)


# ================================================================================== loading
class _LoadError(RuntimeError):
    """A clear load error raised as is (not relabelled "truncated or corrupt")."""


class _Refused(pickle.UnpicklingError):
    """A global outside the allowlist."""


class _Corrupt(Exception):
    """Raised inside the loader for inconsistent data; reported as truncated or corrupt."""


class _UserError(Exception):
    def __init__(self, err):
        self.err = err


class _StorageType:
    """What ``torch.FloatStorage`` & co. unpickle to: the element kind of a storage."""

    __slots__ = ("name", "kind")

    def __init__(self, name, kind):
        self.name, self.kind = name, kind   # kind: a NumPy dtype, or "bfloat16"

    def __repr__(self):
        return f"<storage type torch.{self.name}>"


class _TorchType:
    """What ``torch.Tensor`` / ``torch.nn.Parameter`` unpickle to (for _rebuild_from_type_v2)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<torch type {self.name}>"


class _ForeignDtype:
    """A torch dtype with no ember equivalent (``torch.bfloat16``, ``torch.uint16`` ...)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"

    def __eq__(self, other):
        return type(other) is _ForeignDtype and other.name == self.name

    def __hash__(self):
        return hash(("torch", self.name))


_TENSOR_TYPE = _TorchType("torch.Tensor")
_PARAM_TYPE = _TorchType("torch.nn.Parameter")
_FOREIGN = {"bfloat16", "complex32", "chalf", "uint16", "uint32", "uint64", "float8_e4m3fn",
            "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
            "float4_e2m1fn_x2", "qint8", "quint8", "qint32", "quint4x2", "quint2x4", "bits1x8",
            "bits2x4", "bits4x2", "bits8", "bits16"} | {f"int{i}" for i in range(1, 8)} \
    | {f"uint{i}" for i in range(1, 8)}


class _Storage:
    """One storage record: its raw bytes and the typed arrays made from them (cached)."""

    __slots__ = ("raw", "kind", "big", "cache", "claimed")

    def __init__(self, raw, kind, big):
        self.raw, self.kind, self.big = raw, kind, big
        self.cache = {}
        self.claimed = False

    def typed(self, kind):
        arr = self.cache.get(kind)
        if arr is None:
            arr = _decode(self.raw, kind, self.big)
            self.cache[kind] = arr
        return arr


def _itemsize(kind):
    return _WIDENED[kind] if isinstance(kind, str) else kind.itemsize


def _decode(raw, kind, big):
    """The 1-d array of ``kind`` elements stored (little- or big-endian) in the uint8 ``raw``."""
    size = _itemsize(kind)
    if raw.size % size:
        raise _Corrupt(f"a storage of {raw.size} bytes cannot hold {kind} elements")
    order = ">" if big else "<"
    if kind == "bfloat16":
        bits = raw.view(order + "u2").astype(np.uint32) << 16
        return bits.view(np.float32)
    if kind == "complex32":
        return raw.view(order + "f2").astype(np.float32).view(np.complex64)
    arr = raw.view(kind.newbyteorder(order))
    return arr.astype(kind) if arr.dtype != kind else arr


def _check_ints(seq, what):
    if not isinstance(seq, (tuple, list)):
        raise _Corrupt(f"tensor {what} is {type(seq).__name__}, not a tuple")
    for v in seq:
        if type(v) is not int or v < 0:
            raise _Corrupt(f"tensor {what} {tuple(seq)!r} must hold non-negative ints")
    return tuple(seq)


def _view(storage, kind, offset, size, stride):
    """Copy the tensor (offset, size, stride) out of ``storage``, after bounds checks."""
    if type(storage) is not _Storage:
        raise _Corrupt(f"expected a storage, got {type(storage).__name__}")
    size, stride = _check_ints(size, "size"), _check_ints(stride, "stride")
    if type(offset) is not int or offset < 0 or len(size) != len(stride):
        raise _Corrupt("bad tensor offset or size/stride lengths")
    arr = storage.typed(kind)
    count = 1
    for s in size:
        count *= s
    if count == 0:
        return np.empty(size, arr.dtype)
    last = offset + sum((s - 1) * st for s, st in zip(size, stride))
    if last >= arr.shape[0]:
        raise _Corrupt(f"tensor of size {size}, stride {stride} and offset {offset} reaches "
                       f"element {last} of a storage of {arr.shape[0]} elements")
    if offset == 0 and count == arr.shape[0] and not storage.claimed and arr.flags.aligned \
            and arr.flags.writeable:
        expect, dense = 1, True
        for s, st in zip(reversed(size), reversed(stride)):
            if s != 1 and st != expect:
                dense = False
                break
            expect *= s
        if dense:  # the tensor is its whole storage: hand the buffer over, no copy
            storage.claimed = True
            return arr.reshape(size)
    item = arr.itemsize
    return as_strided(arr[offset:], size, tuple(st * item for st in stride)).copy(order="K")


def _finish(arr, requires_grad, metadata=None):
    from .tensor import _new_tensor
    if metadata:
        if not isinstance(metadata, dict):
            raise _Corrupt("tensor metadata must be a dict")
        if metadata.get("conj"):
            arr = np.conj(arr)
        if metadata.get("neg"):
            arr = np.negative(arr)
    t = _new_tensor(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _finish(_view(storage, storage.kind if type(storage) is _Storage else None,
                         storage_offset, size, stride), False)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    return _finish(_view(storage, storage.kind if type(storage) is _Storage else None,
                         storage_offset, size, stride), requires_grad, metadata)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    from ._dtype import dtype as ember_dtype
    if type(dtype) is ember_dtype:
        kind = dtype.np
    elif type(dtype) is _ForeignDtype:
        kind = "complex32" if dtype.name == "chalf" else dtype.name
        if kind not in _WIDENED:
            raise _LoadError(f"ember.load: tensors of dtype torch.{dtype.name} are not supported "
                             "(ember has no such dtype); convert them in PyTorch first, e.g. "
                             "t.to(torch.float32)")
    else:
        raise _Corrupt(f"expected a dtype, got {type(dtype).__name__}")
    return _finish(_view(storage, kind, storage_offset, size, stride), requires_grad, metadata)


def _make_parameter(data, requires_grad):
    from .tensor import Tensor
    if not isinstance(data, Tensor):
        raise _Corrupt(f"Parameter data must be a tensor, got {type(data).__name__}")
    try:
        from .nn.parameter import Parameter
    except ImportError:
        data.requires_grad = bool(requires_grad)
        return data
    return Parameter(data, requires_grad=bool(requires_grad))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _make_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _make_parameter(data, requires_grad)   # Python attributes on Parameters are dropped


_TENSOR_REBUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
                      _rebuild_parameter_with_state)


def _rebuild_from_type_v2(func, new_type, args, state):
    if not any(func is f for f in _TENSOR_REBUILDERS) or type(args) is not tuple:
        raise _Corrupt("_rebuild_from_type_v2 needs a tensor rebuild function")
    t = func(*args)
    if new_type is _PARAM_TYPE:
        return _make_parameter(t, t._rg)
    if new_type is not _TENSOR_TYPE:
        raise _Corrupt(f"cannot rebuild a tensor as {new_type!r}")
    return t


def _unsupported(kind):
    def rebuild(*args):
        raise _LoadError(f"ember.load: {kind} tensors are not supported by ember; convert them "
                         "to dense CPU tensors in PyTorch before saving")
    return rebuild


def _encode(obj, encoding="utf-8", errors="strict"):
    if type(obj) is not str or encoding not in ("latin1", "latin-1"):
        raise _Refused("ember.load: _codecs.encode is only allowed for latin-1 bytes")
    return obj.encode("latin-1")


def _bytes(*args):
    if args:
        raise _Refused("ember.load: builtins.bytes is only allowed without arguments")
    return b""


def _bytearray(*args):
    if not args:
        return bytearray()
    if len(args) == 1 and type(args[0]) is bytes:
        return bytearray(args[0])
    if len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        return bytearray(args[0], "latin-1")
    raise _Refused("ember.load: builtins.bytearray is only allowed on bytes or latin-1 text")


def _fixed_globals():
    from .tensor import Size
    from .backend.device import device
    g = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set, "builtins.frozenset": frozenset, "builtins.complex": complex,
        "builtins.slice": slice, "builtins.bytes": _bytes,
        "builtins.bytearray": _bytearray, "_codecs.encode": _encode,
        "torch.Size": Size, "torch.device": device,
        "torch.Tensor": _TENSOR_TYPE, "torch._tensor.Tensor": _TENSOR_TYPE,
        "torch.nn.Parameter": _PARAM_TYPE, "torch.nn.parameter.Parameter": _PARAM_TYPE,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.serialization._get_layout": lambda name: name,
        "torch.storage.UntypedStorage": _StorageType("UntypedStorage", np.dtype(np.uint8)),
        "torch.UntypedStorage": _StorageType("UntypedStorage", np.dtype(np.uint8)),
    }
    for f in _TENSOR_REBUILDERS:
        g["torch._utils." + f.__name__] = f
    for name, kind in (("_rebuild_sparse_tensor", "sparse"), ("_rebuild_qtensor", "quantized"),
                       ("_rebuild_nested_tensor", "nested"),
                       ("_rebuild_wrapper_subclass", "tensor-subclass"),
                       ("_rebuild_meta_tensor_no_storage", "meta"),
                       ("_rebuild_device_tensor_from_numpy", "device (non-CPU)"),
                       ("_rebuild_device_tensor_from_cpu_tensor", "device (non-CPU)")):
        g["torch._utils." + name] = _unsupported(kind)
    return g


def _numpy_globals():
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # NumPy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    g = {"numpy.ndarray": np.ndarray, "numpy.dtype": np.dtype}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        g[mod + "._reconstruct"] = _reconstruct
        g[mod + ".scalar"] = scalar
    return g


_FIXED = []


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, loader, **kwargs):
        super().__init__(file, **kwargs)
        self._loader = loader

    def find_class(self, module, name):
        return self._loader.find_class(module, name)

    def persistent_load(self, pid):
        return self._loader.persistent_load(pid)


class _Loader:
    """Reads one zip checkpoint: records, storages, and the restricted unpickling."""

    def __init__(self, zf, fh, total, prefix, name, map_location, weights_only, mm):
        self.zf, self.fh, self.total, self.prefix, self.name = zf, fh, total, prefix, name
        self.map_location, self.weights_only, self.mm = map_location, weights_only, mm
        self.storages = {}
        self.big = False

    # ----- records ---------------------------------------------------------------------
    def read_record(self, rel):
        name = f"{self.prefix}/{rel}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise _Corrupt(f"record {name} is missing") from None
        n = info.file_size
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 1:
            return np.frombuffer(self.zf.read(name), np.uint8).copy()
        self.fh.seek(info.header_offset)
        head = self.fh.read(30)
        if len(head) != 30 or head[:4] != _ZIP_MAGIC:
            raise _Corrupt(f"bad local header for record {name}")
        nlen, xlen = struct.unpack("<HH", head[26:30])
        start = info.header_offset + 30 + nlen + xlen
        if start + n > self.total:
            raise _Corrupt(f"record {name} runs past the end of the file")
        if n == 0:
            return np.empty(0, np.uint8)
        if self.mm is not None:
            return np.frombuffer(self.mm, np.uint8, n, start)
        arr = np.empty(n, np.uint8)
        view = memoryview(arr)
        self.fh.seek(start)
        got = 0
        while got < n:
            k = self.fh.readinto(view[got:])
            if not k:
                raise _Corrupt(f"record {name} is cut short")
            got += k
        if zlib.crc32(view) != info.CRC:
            raise _Corrupt(f"CRC-32 mismatch in record {name}")
        return arr

    # ----- unpickling hooks --------------------------------------------------------------
    def find_class(self, module, name):
        # protocol <= 2 pickles name Python 2 modules (__builtin__.xrange ...): rename, never import
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if not _FIXED:
            _FIXED.append(_fixed_globals())
        obj = _FIXED[0].get(full)
        if obj is not None:
            return obj
        if module in ("torch", "torch.cuda") and name.endswith("Storage"):
            if name in _DTYPE_OF_STORAGE:
                return _StorageType(name, np.dtype(_DTYPE_OF_STORAGE[name]))
            if name == "BFloat16Storage":
                return _StorageType(name, "bfloat16")
            if name == "UntypedStorage":
                return _StorageType(name, np.dtype(np.uint8))
            if name.startswith(("QInt", "QUInt")):
                raise _LoadError(f"ember.load: quantized tensors (torch.{name}) are not supported")
        if module == "torch":
            if name in _TORCH_DTYPES:
                from ._dtype import _BY_NAME
                return _BY_NAME[_TORCH_DTYPES[name]]
            if name in _FOREIGN:
                return _ForeignDtype(name)
        if full in _USER_SAFE:
            return _USER_SAFE[full]
        if not self.weights_only and module.split(".")[0] == "numpy":
            obj = _numpy_globals().get(full)
            if obj is not None:
                return obj
        hint = ""
        if module.split(".")[0] == "numpy" and self.weights_only:
            hint = " NumPy arrays and scalars are allowed with weights_only=False."
        raise _Refused(
            f"Weights only load failed: ember.load refused the global '{full}' in {self.name}. "
            "ember.load never runs code from a file: it rebuilds only tensors, containers and "
            f"plain values.{hint} If you trust this file and '{full}' is a plain-data class, "
            "allow it with ember.serialization.add_safe_globals([...]).")

    def persistent_load(self, pid):
        if type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage":
            raise _Corrupt(f"unsupported persistent id {pid!r:.80}")
        _, stype, key, location, numel = pid
        if type(stype) is not _StorageType or type(key) is not str or type(numel) is not int \
                or numel < 0 or not isinstance(location, str):
            raise _Corrupt(f"malformed storage id {pid!r:.80}")
        storage = self.storages.get(key)
        if storage is None:
            raw = self.read_record(f"data/{key}")
            if raw.size != numel * _itemsize(stype.kind):
                raise _Corrupt(f"storage {key} holds {raw.size} bytes, expected "
                               f"{numel} x {_itemsize(stype.kind)}")
            storage = self._restore(_Storage(raw, stype.kind, self.big), location)
            self.storages[key] = storage
        return storage

    def _restore(self, storage, location):
        ml = self.map_location
        from .tensor import Tensor, _new_tensor
        from .backend.device import device
        if callable(ml) and not isinstance(ml, (str, device, dict)):
            t = _new_tensor(storage.typed(storage.kind))
            try:
                res = ml(t, location)
            except Exception as e:
                raise _UserError(e) from None
            if res is None:
                return self._restore_location(storage, location)
            if not isinstance(res, Tensor):
                raise _LoadError("ember.load: map_location must return a tensor (the storage "
                                 f"it was given) or None, got {type(res).__name__}")
            if res._data is not t._data:
                arr = np.ascontiguousarray(res._data).reshape(-1)
                if arr.dtype != t._data.dtype or arr.size != t._data.size:
                    raise _LoadError("ember.load: map_location returned a storage of another "
                                     "dtype or size")
                storage = _Storage(arr.view(np.uint8).copy(), storage.kind, False)
                storage.cache[storage.kind] = arr.copy()
            return storage
        if isinstance(ml, dict):
            location = str(ml.get(location, location))
        elif ml is not None:
            location = str(ml)
        return self._restore_location(storage, location)

    def _restore_location(self, storage, location):
        if location == "cpu" or location.startswith("cpu:"):
            return storage
        if location.startswith("cuda"):
            raise _LoadError("Attempting to deserialize object on a CUDA device but CUDA is not "
                             "available to ember. If you are running on a CPU-only machine, "
                             "please use ember.load with map_location=ember.device('cpu') to "
                             "map your storages to the CPU.")
        raise _LoadError(f"ember.load: don't know how to restore data location {location!r}; "
                         "pass map_location='cpu'")

    # ----- the whole file ----------------------------------------------------------------
    def load(self, encoding, errors):
        try:
            order = bytes(self.read_record("byteorder"))
        except _Corrupt:
            if f"{self.prefix}/byteorder" in self.zf.NameToInfo:
                raise
            order = b"little"
        if order not in (b"little", b"big"):
            raise _Corrupt(f"unknown byte order {order[:20]!r}")
        self.big = order == b"big"
        pkl = self.read_record("data.pkl")
        up = _Unpickler(io.BytesIO(pkl), self, encoding=encoding, errors=errors)
        obj = up.load()
        if type(obj) is _Storage:
            obj = _finish(obj.typed(obj.kind).copy(), False)
        return obj


def _describe(f):
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip format), without running
    code from the file: only tensors, containers and plain values are rebuilt.

    ``map_location`` may be None, "cpu", an ``ember.device``, a dict of location renames, or a
    callable ``(storage, location) -> storage or None``. ``weights_only=False`` also admits NumPy
    arrays and scalars. ``mmap=True`` maps a file path instead of reading it (tensors that fill
    their storage then share the mapping, copy-on-write).
    """
    weights_only = True if weights_only is None else bool(weights_only)
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError("ember.load reads with its own restricted unpickler; pickle_module is "
                        "not supported")
    unknown = set(pickle_load_args) - {"encoding", "errors"}
    if unknown:
        raise TypeError(f"ember.load() got unexpected keyword arguments {sorted(unknown)}")
    encoding = pickle_load_args.get("encoding", "utf-8")
    errors = pickle_load_args.get("errors", "strict")
    if isinstance(f, (str, os.PathLike)):
        path = os.fsdecode(os.fspath(f))
        with open(path, "rb") as fh:
            return _load_file(fh, repr(path), map_location, weights_only, mmap, encoding, errors)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not hasattr(f, "read"):
        raise AttributeError(f"ember.load: expected a path or a binary file object, got "
                             f"{type(f).__name__}")
    return _load_file(f, _describe(f), map_location, weights_only, False, encoding, errors)


def _load_file(fh, name, map_location, weights_only, use_mmap, encoding, errors):
    seekable = getattr(fh, "seekable", None)
    if seekable is None or not seekable():
        fh = io.BytesIO(fh.read())
    start = fh.tell()
    head = fh.read(512)
    if not isinstance(head, bytes):
        raise _LoadError(f"ember.load: {name} must be opened in binary mode ('rb')")
    fh.seek(0, 2)
    total = fh.tell()
    fh.seek(start)
    corrupt = f"ember.load: {name} is truncated or corrupt"
    if not head:
        raise _LoadError(f"{corrupt} (it is empty)")
    if not head.startswith(_ZIP_MAGIC):
        if _ZIP_MAGIC.startswith(head):
            raise _LoadError(f"{corrupt} (it ends inside the zip signature)")
        if len(head) >= 4 and head[:len(_LEGACY_MAGIC)] == _LEGACY_MAGIC[:len(head)] \
                or head[257:262] == b"ustar":
            raise _LoadError(f"ember.load: {name} is in PyTorch's legacy format (before 1.6); "
                             "legacy format not supported; re-save with torch.save(..., "
                             "_use_new_zipfile_serialization=True)")
        kind = "a plain pickle, which ember.load does not run" if head[:1] == b"\x80" else \
            f"unrecognised header {head[:8]!r}"
        raise _LoadError(f"ember.load: {name} is not an ember or PyTorch checkpoint ({kind})")
    mm = zf = None
    try:
        try:
            zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as e:
            raise _Corrupt(str(e)) from None
        names = zf.namelist()
        if any(n.endswith("/constants.pkl") for n in names):
            raise _LoadError(f"ember.load: {name} is a TorchScript archive (torch.jit.save); "
                             "ember.load reads torch.save checkpoints: save the model's "
                             "state_dict() with torch.save instead")
        prefix = names[0].split("/", 1)[0] if names else ""
        if f"{prefix}/data.pkl" not in zf.NameToInfo:
            found = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
            if not found:
                raise _LoadError(f"ember.load: {name} is not an ember or PyTorch checkpoint "
                                 "(a zip archive without data.pkl)")
            prefix = found[0].split("/", 1)[0]
        if use_mmap:
            import mmap as _mmap
            mm = _mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_COPY)
        loader = _Loader(zf, fh, total, prefix, name, map_location, weights_only, mm)
        obj = loader.load(encoding, errors)
    except (_LoadError, _Refused):
        raise
    except _UserError as e:
        raise e.err
    except Exception as e:
        raise RuntimeError(f"{corrupt} ({type(e).__name__}: {e})") from e
    finally:
        if zf is not None:
            zf.close()
    if any(isinstance(kind, str) for s in loader.storages.values() for kind in s.cache):
        warnings.warn("ember has no bfloat16/complex32 dtypes: those tensors were loaded exactly "
                      "as float32/complex64", UserWarning, stacklevel=3)
    return obj
