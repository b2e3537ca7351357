"""``ember.device``: where a tensor lives. Only "cpu" exists today."""

__all__ = ["device", "check_device"]


class device:
    """A device spec such as ``device("cpu")`` or ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, str) and ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of "
                               f"device string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}'" + ("" if self.index is None
                                                 else f", index={self.index}") + ")"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # a device never equals a string, as in PyTorch (``device("cuda") == "cuda"`` is False)
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


def check_device(spec):
    """``spec`` as a ``device``; a device ember cannot run on (anything but the CPU today) is
    a RuntimeError that says so."""
    d = spec if isinstance(spec, device) else device(spec)
    if d.type != "cpu":
        raise RuntimeError(f"device {d} is not available: ember runs on the CPU "
                           "(install cupy for CUDA support once it lands)")
    return d
