"""Named tuples returned by ops with several results, as ``torch.return_types``.

``x.max(1)`` returns ``ember.return_types.max(values=..., indices=...)``: a tuple that unpacks
like one and also has the fields as attributes.
"""
from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "mode", "aminmax"]


def _repr(self):
    body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
    return f"ember.return_types.{type(self).__name__}(\n{body})"


def _make(name, fields=("values", "indices")):
    base = namedtuple(name, fields)
    return type(name, (base,), {"__slots__": (), "__repr__": _repr, "__module__": __name__,
                                "__doc__": f"Result of ``{name}``: ({', '.join(fields)})."})


max = _make("max")
min = _make("min")
sort = _make("sort")
topk = _make("topk")
kthvalue = _make("kthvalue")
median = _make("median")
mode = _make("mode")
aminmax = _make("aminmax", ("min", "max"))
