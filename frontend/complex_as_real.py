"""Complex tensors as real ones. torch-mlir lowers real dtypes only (and few complex ops, some to
code that fails late), so each complex value becomes a real tensor with a trailing dim of 2
(real, imaginary): the layout of `torch.view_as_real`, and of C99's `float complex`.

`ComplexAsReal(program)` is a module over real tensors that runs the exported program's graph,
each op that touches a complex value replaced by its real form (`_RULES`, by op); exporting it
gives the real program that ember compiles. The Signature marks the complex inputs and results
(`TensorSpec.complex`): a call passes `view_as_real` of a complex argument and returns
`view_as_complex` of a complex result, without copies.

The rules follow eager's arithmetic: complex division as c10's (scaled by the larger part of
the divisor), `abs` as hypot, vector norms as norms of those magnitudes, the FFTs (`fft`,
`ifft`, `rfft`, `irfft` along one dim, with `n` and every `norm`) as products with DFT matrices
whose angles are reduced exactly (k·t mod n) before the float64 cos and sin. An op without a
rule raises a CaptureError that names it (with fallback="eager", it then runs eagerly).
"""

import math
import operator

import torch

from ember.errors import CaptureError

aten = torch.ops.aten
_REAL_OF = {torch.complex64: torch.float32, torch.complex128: torch.float64, torch.complex32: torch.float16}


class Z:
    """A complex value as its real view `r` ([..., 2])."""

    def __init__(self, r: torch.Tensor):
        self.r = r

    @property
    def ndim(self) -> int:
        return self.r.dim() - 1

    @property
    def re(self) -> torch.Tensor:
        return self.r[..., 0]

    @property
    def im(self) -> torch.Tensor:
        return self.r[..., 1]


def _pair(re: torch.Tensor, im: torch.Tensor) -> Z:
    re, im = torch.broadcast_tensors(re, im)
    return Z(torch.stack([re, im], -1))


def _float_of(*values) -> torch.dtype:
    """The real dtype of an op's complex form: its complex operand's, else its float tensor's."""
    for v in values:
        if isinstance(v, Z):
            return v.r.dtype
    for v in values:
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            return v.dtype
    return torch.get_default_dtype()


def _as_z(value, dtype: torch.dtype) -> Z:
    """A complex operand: a Z as it is, a real tensor or a number with a zero imaginary part."""
    if isinstance(value, Z):
        return value
    if isinstance(value, torch.Tensor):
        value = value.to(dtype)
        return _pair(value, torch.zeros_like(value))
    value = complex(value)
    return Z(torch.tensor([value.real, value.imag], dtype=dtype))


def _dim(d: int, ndim: int) -> int:
    return d % ndim if ndim else 0


def _dims(dims, ndim: int) -> list[int]:
    return [_dim(d, ndim) for d in ([dims] if isinstance(dims, int) else dims)]


# -- arithmetic ------------------------------------------------------------------------------------

def _add(a, b, alpha=1, sign=1):
    dtype = _float_of(a, b)
    return Z(_as_z(a, dtype).r + sign * alpha * _as_z(b, dtype).r)


def _real_factor(value):
    """A real operand of a product, broadcast against the trailing pair dim."""
    return value.unsqueeze(-1) if isinstance(value, torch.Tensor) else value


def _is_real(value) -> bool:
    return not isinstance(value, (Z, complex))


def _mul(a, b):
    dtype = _float_of(a, b)
    if _is_real(b):
        return Z(_as_z(a, dtype).r * _real_factor(b))
    if _is_real(a):
        return Z(_as_z(b, dtype).r * _real_factor(a))
    a, b = _as_z(a, dtype), _as_z(b, dtype)
    return _pair(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)


def _div(a, b):
    dtype = _float_of(a, b)
    if _is_real(b):
        return Z(_as_z(a, dtype).r / _real_factor(b))
    a, b = _as_z(a, dtype), _as_z(b, dtype)
    x, y, c, d = a.re, a.im, b.re, b.im
    # c10::complex's division: scaled by the larger part of the divisor (no overflow in c² + d²)
    c_larger = c.abs() >= d.abs()
    ratio = torch.where(c_larger, d / c, c / d)
    scale = 1 / torch.where(c_larger, c + d * ratio, d + c * ratio)
    re = torch.where(c_larger, (x + y * ratio) * scale, (x * ratio + y) * scale)
    im = torch.where(c_larger, (y - x * ratio) * scale, (y * ratio - x) * scale)
    both_zero = (c == 0) & (d == 0)  # a complex inf or NaN, as eager gives
    return _pair(torch.where(both_zero, x / c.abs(), re), torch.where(both_zero, y / d.abs(), im))


def _matmul(op):
    def product(a, b):
        if _is_real(a) or _is_real(b):  # eager multiplies matrices of one dtype only
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{'complex' if isinstance(a, Z) else a.dtype} != {'complex' if isinstance(b, Z) else b.dtype}")
        return _pair(op(a.re, b.re) - op(a.im, b.im), op(a.re, b.im) + op(a.im, b.re))

    return product


def _exp(z):
    magnitude = torch.exp(z.re)
    return _pair(magnitude * torch.cos(z.im), magnitude * torch.sin(z.im))


def _log(z):
    return _pair(torch.log(torch.hypot(z.re, z.im)), torch.atan2(z.im, z.re))


def _sgn(z):
    magnitude = torch.hypot(z.re, z.im).unsqueeze(-1)
    return Z(torch.where(magnitude == 0, torch.zeros_like(z.r), z.r / magnitude))


def _to_copy(value, dtype=None, **kwargs):
    if isinstance(value, Z):
        if dtype is None or dtype.is_complex:
            return Z(value.r.to(_REAL_OF.get(dtype, value.r.dtype)))
        return value.re.to(dtype)  # eager discards the imaginary part (with a warning)
    if dtype is not None and dtype.is_complex:
        return _as_z(value, _REAL_OF[dtype])
    return aten._to_copy.default(value, dtype=dtype, **kwargs)


def _equal(op, combine):
    def compare(a, b):
        dtype = _float_of(a, b)
        return combine(op(_as_z(a, dtype).r, _as_z(b, dtype).r), -1)

    return compare


# -- layout ------------------------------------------------------------------------------------------

def _reduction(op):
    def reduce(z, dims=None, keepdim=False, *, dtype=None):
        dims = list(range(z.ndim)) if not dims else _dims(dims, z.ndim)
        return Z(op(z.r, dims, keepdim))

    return reduce


def _cat(values, dim=0):
    dtype = _float_of(*values)
    values = [_as_z(v, dtype) for v in values]
    return Z(torch.cat([v.r for v in values], _dim(dim, values[0].ndim)))


def _stack(values, dim=0):
    dtype = _float_of(*values)
    values = [_as_z(v, dtype) for v in values]
    return Z(torch.stack([v.r for v in values], _dim(dim, values[0].ndim + 1)))


def _squeeze(z, dims=None):
    dims = [d for d in range(z.ndim) if z.r.shape[d] == 1] if dims is None else _dims(dims, z.ndim)
    return Z(z.r.squeeze(dims) if dims else z.r)


_LAYOUT = {
    "view": lambda z, shape: Z(z.r.reshape(list(shape) + [2])),
    "_unsafe_view": lambda z, shape: Z(z.r.reshape(list(shape) + [2])),
    "reshape": lambda z, shape: Z(z.r.reshape(list(shape) + [2])),
    "expand": lambda z, shape, implicit=False: Z(z.r.expand(list(shape) + [2])),
    "permute": lambda z, dims: Z(z.r.permute(_dims(dims, z.ndim) + [z.ndim])),
    "transpose": lambda z, a, b: Z(z.r.transpose(_dim(a, z.ndim), _dim(b, z.ndim))),
    "t": lambda z: Z(z.r.transpose(0, 1) if z.ndim == 2 else z.r),
    "unsqueeze": lambda z, d: Z(z.r.unsqueeze(_dim(d, z.ndim + 1))),
    "squeeze": _squeeze,
    "select": lambda z, d, i: Z(z.r.select(_dim(d, z.ndim), i)),
    "slice": lambda z, d=0, start=None, end=None, step=1: Z(aten.slice.Tensor(z.r, _dim(d, z.ndim), start, end, step)),
    "flip": lambda z, dims: Z(z.r.flip(_dims(dims, z.ndim))),
    "index_select": lambda z, d, index: Z(z.r.index_select(_dim(d, z.ndim), index)),
    "index": lambda z, indices: Z(aten.index.Tensor(z.r, list(indices))),
    "cat": _cat,
    "stack": _stack,
    "clone": lambda z, memory_format=None: Z(z.r.clone()),
    "alias": lambda z: z,
    "detach": lambda z: z,
    "lift_fresh_copy": lambda z: Z(z.r.clone()),
    "contiguous": lambda z, memory_format=None: Z(z.r.contiguous()),
    "resolve_conj": lambda z: z,
    "resolve_neg": lambda z: z,
    "sum": _reduction(torch.sum),
    "mean": _reduction(torch.mean),
}


# -- FFTs --------------------------------------------------------------------------------------------

def _dft(n: int, m: int, dtype: torch.dtype):
    """cos and sin of 2π·k·t/n for t < n, k < m ([n, m]), the product k·t reduced mod n first."""
    angle = (torch.arange(n).unsqueeze(1) * torch.arange(m).unsqueeze(0)) % n
    angle = angle.to(torch.float64) * (2 * math.pi / n)
    return torch.cos(angle).to(dtype), torch.sin(angle).to(dtype)


def _scale(norm, n: int, forward: bool) -> float:
    if norm == "ortho":
        return 1 / math.sqrt(n)
    if (norm == "forward") == forward:
        return 1 / n
    return 1.0


def _fit(x: torch.Tensor, n: int) -> torch.Tensor:
    """x's last dim cut or zero-padded to n."""
    size = x.shape[-1]
    if size >= n:
        return x.narrow(-1, 0, n)
    return torch.cat([x, x.new_zeros((*x.shape[:-1], n - size))], -1)


def _fft_c2c(forward: bool):
    def fft(z, n=None, dim=-1, norm=None):
        z = _as_z(z, _float_of(z))
        dim = _dim(dim, z.ndim)
        re, im = z.re.movedim(dim, -1), z.im.movedim(dim, -1)
        n = n or re.shape[-1]
        re, im = _fit(re, n), _fit(im, n)
        cos, sin = _dft(n, n, re.dtype)
        sign = -1 if forward else 1  # e^(∓iθ)
        scale = _scale(norm, n, forward)
        out_re = (re @ cos - sign * (im @ sin)) * scale
        out_im = (im @ cos + sign * (re @ sin)) * scale
        return _pair(out_re.movedim(-1, dim), out_im.movedim(-1, dim))

    return fft


def _rfft(x, n=None, dim=-1, norm=None):
    dim = _dim(dim, x.dim())
    x = x.movedim(dim, -1)
    n = n or x.shape[-1]
    x = _fit(x.to(torch.promote_types(x.dtype, torch.float32)), n)
    cos, sin = _dft(n, n // 2 + 1, x.dtype)
    scale = _scale(norm, n, True)
    return _pair((x @ cos * scale).movedim(-1, dim), (-(x @ sin) * scale).movedim(-1, dim))


def _irfft(z, n=None, dim=-1, norm=None):
    """The real signal of a one-sided spectrum: the imaginary parts of its first and (n even)
    middle terms are ignored, as pocketfft's c2r does."""
    z = _as_z(z, _float_of(z))
    dim = _dim(dim, z.ndim)
    re, im = z.re.movedim(dim, -1), z.im.movedim(dim, -1)
    n = n or 2 * (re.shape[-1] - 1)
    m = n // 2 + 1
    re, im = _fit(re, m), _fit(im, m)
    weights = [1.0] + [2.0] * (m - 1)  # each term but the first and (n even) the middle stands for two
    if n % 2 == 0:
        weights[m - 1] = 1.0
    weight = torch.tensor(weights, dtype=re.dtype).unsqueeze(1)  # 1 and 2: exact in any float
    cos, sin = _dft(n, m, re.dtype)
    cos, sin = cos.mT * weight, sin.mT * weight
    return ((re @ cos - im @ sin) * _scale(norm, n, False)).movedim(-1, dim)


def _filled(value, dtype=None, **kwargs):
    """scalar_tensor / full of a complex value or dtype."""
    return _as_z(value, _REAL_OF.get(dtype, torch.get_default_dtype()))


def _full(size, value, dtype=None, **kwargs):
    z = _as_z(value, _REAL_OF.get(dtype, torch.get_default_dtype()))
    return Z(z.r.expand(list(size) + [2]).clone())


def _like(fill):
    def like(z, *args, dtype=None, **kwargs):
        if dtype is not None and not dtype.is_complex:
            return fill(z.re, dtype)
        return Z(torch.stack([fill(z.re, None), torch.zeros_like(z.re)], -1))

    return like


def _where(condition, a, b):
    dtype = _float_of(a, b)
    return Z(torch.where(condition.unsqueeze(-1), _as_z(a, dtype).r, _as_z(b, dtype).r))


def _full_like(z, value, dtype=None, **kwargs):
    if dtype is not None and not dtype.is_complex:
        return torch.full_like(z.re, value, dtype=dtype)
    return Z(_as_z(value, z.r.dtype).r.expand(z.r.shape).clone())


def _sqrt(z):
    """The principal root, sqrt(|z|)·e^(iθ/2)."""
    root, half_angle = torch.sqrt(torch.hypot(z.re, z.im)), torch.atan2(z.im, z.re) / 2
    return _pair(root * torch.cos(half_angle), root * torch.sin(half_angle))


def _pow(z, exponent):
    if isinstance(exponent, (int, float)) and exponent == int(exponent) and 0 <= exponent <= 4:
        result = _as_z(1, _float_of(z))
        for _ in range(int(exponent)):  # small integer powers as products, as exact as eager's
            result = _mul(result, z)
        return Z(result.r.expand(_as_z(z, _float_of(z)).r.shape).clone())
    return _exp(_mul(_log(_as_z(z, _float_of(z))), exponent))


def _vector_norm(z, ord=2, dim=None, keepdim=False, *, dtype=None):
    """A complex norm is the real norm of the magnitudes, as eager computes it."""
    return torch.linalg.vector_norm(torch.hypot(z.re, z.im), ord, _dims(dim, z.ndim) if dim is not None else None,
                                    keepdim, dtype=_REAL_OF.get(dtype, dtype))


def _linalg_norm(z, ord=None, dim=None, keepdim=False, *, dtype=None):
    """linalg.norm where it is a vector norm (no ord, "fro", or one dim); matrix norms of
    complex values have no real form here."""
    one_dim = z.ndim == 1 or isinstance(dim, int) or (dim is not None and len(dim) == 1)
    if ord is None or ord == "fro" or (one_dim and not isinstance(ord, str)):
        if ord == "fro" and dim is None:
            dim = (-2, -1)
        return _vector_norm(z, 2 if ord in (None, "fro") else ord, dim, keepdim, dtype=dtype)
    raise CaptureError(f"linalg.norm of a complex tensor with ord={ord!r} (a matrix norm): ember has no real"
                       " form of it yet")


def _empty(size, *args, dtype=None, **kwargs):
    """empty / empty_strided of a complex dtype: zeros (what is written into it comes next)."""
    return Z(torch.zeros(list(size) + [2], dtype=_REAL_OF.get(dtype, torch.get_default_dtype())))


_RULES = {
    "empty_strided": _empty,
    "empty": _empty,
    "fill": _full_like,
    "copy": lambda destination, source, non_blocking=False: Z(
        _as_z(source, _float_of(destination)).r.expand(destination.r.shape).clone()),
    "where": _where,
    "full_like": _full_like,
    "sqrt": _sqrt,
    "pow": _pow,
    "reciprocal": lambda z: _div(1, z),
    "square": lambda z: _mul(z, z),
    "scalar_tensor": _filled,
    "full": _full,
    "zeros_like": _like(lambda x, dtype: torch.zeros_like(x, dtype=dtype)),
    "ones_like": _like(lambda x, dtype: torch.ones_like(x, dtype=dtype)),
    "empty_like": _like(lambda x, dtype: torch.zeros_like(x, dtype=dtype)),
    "add": _add,
    "sub": lambda a, b, alpha=1: _add(a, b, alpha, -1),
    "rsub": lambda a, b, alpha=1: _add(b, a, alpha, -1),
    "mul": _mul,
    "div": _div,
    "neg": lambda z: Z(-z.r),
    "_conj": lambda z: _pair(z.re, -z.im),
    "conj": lambda z: _pair(z.re, -z.im),
    "conj_physical": lambda z: _pair(z.re, -z.im),
    "abs": lambda z: torch.hypot(z.re, z.im),
    "angle": lambda z: torch.atan2(z.im, z.re),
    "linalg_vector_norm": _vector_norm,
    "linalg_norm": _linalg_norm,
    "real": lambda z: z.re,
    "imag": lambda z: z.im,
    "view_as_real": lambda z: z.r,
    "view_as_complex": lambda x: Z(x),
    "complex": lambda re, im: _pair(re, im),
    "polar": lambda magnitude, angle: _pair(magnitude * torch.cos(angle), magnitude * torch.sin(angle)),
    "exp": _exp,
    "log": _log,
    "sgn": _sgn,
    "mm": _matmul(torch.matmul),
    "bmm": _matmul(torch.matmul),
    "matmul": _matmul(torch.matmul),
    "_to_copy": _to_copy,
    "eq": _equal(torch.eq, torch.all),
    "ne": _equal(torch.ne, torch.any),
    "fft_fft": _fft_c2c(True),
    "fft_ifft": _fft_c2c(False),
    "fft_rfft": _rfft,
    "fft_irfft": _irfft,
    **_LAYOUT,
}


def _rule_name(target) -> str:
    return getattr(target, "__name__", str(target)).split(".")[0]


def has_rule(target) -> bool:
    """Whether an op (an OpOverload) on complex values has a real form here."""
    return target is operator.getitem or _rule_name(target) in _RULES


def has_complex(program) -> bool:
    """Whether any value of the exported program's graph is complex."""
    return any(isinstance(v, torch.Tensor) and v.is_complex()
               for v in (n.meta.get("val") for n in program.graph.nodes))


def _complex_value(node) -> bool:
    value = node.meta.get("val") if isinstance(node, torch.fx.Node) else None
    return isinstance(value, torch.Tensor) and value.is_complex()


class ComplexAsReal(torch.nn.Module):
    """The exported program's graph over real tensors: complex inputs, weights and results as
    their real views ([..., 2])."""

    def __init__(self, name: str, program):
        super().__init__()
        self.model_name = name
        self.graph = program.graph
        signature = program.graph_signature
        if signature.buffers_to_mutate or signature.user_inputs_to_mutate:
            raise CaptureError(f"{name} writes into a tensor in place beside complex values: ember does not"
                               " compile that yet")
        self.user_inputs = list(signature.user_inputs)
        # The weights (parameters, buffers, constants), complex ones as their real views.
        self._weights = {}
        for spec in signature.input_specs:
            if spec.kind != torch.export.graph_signature.InputKind.USER_INPUT:
                value = (program.state_dict.get(spec.target) if spec.target in program.state_dict
                         else program.constants[spec.target])
                attribute = f"weight{len(self._weights)}"
                self.register_buffer(attribute, torch.view_as_real(value.detach().resolve_conj()).clone()
                                     if value.is_complex() else value.detach().clone(), persistent=False)
                self._weights[spec.arg.name] = (attribute, value.is_complex())
        self.complex_inputs = tuple(_complex_value(n) for n in self.graph.nodes
                                    if n.op == "placeholder" and n.name in self.user_inputs)
        output = next(n for n in self.graph.nodes if n.op == "output")
        self.complex_results = tuple(_complex_value(n) for n in torch.utils._pytree.tree_leaves(output.args[0])
                                     if isinstance(n, torch.fx.Node))

    def forward(self, *args):
        env = {}
        user = iter(args)
        for node in self.graph.nodes:
            if node.op == "placeholder":
                if node.name in self._weights:
                    attribute, is_complex = self._weights[node.name]
                    value = getattr(self, attribute)
                else:
                    value, is_complex = next(user), _complex_value(node)
                env[node] = Z(value) if is_complex else value
            elif node.op == "call_function":
                call_args = torch.fx.node.map_arg(node.args, env.__getitem__)
                call_kwargs = torch.fx.node.map_arg(node.kwargs, env.__getitem__)
                env[node] = self._call(node, call_args, call_kwargs)
            elif node.op == "output":
                results = torch.fx.node.map_arg(node.args[0], env.__getitem__)
                return torch.utils._pytree.tree_map(lambda v: v.r if isinstance(v, Z) else v, results,
                                                    is_leaf=lambda v: isinstance(v, Z))
            else:
                raise CaptureError(f"{self.model_name}: a graph node of kind {node.op} beside complex values")

    def _call(self, node, args, kwargs):
        touches = _complex_value(node) or any(isinstance(v, (Z, complex))
                                              for v in torch.utils._pytree.tree_leaves((args, kwargs)))
        if not touches:
            return node.target(*args, **kwargs)
        if node.target is operator.getitem:
            return args[0][args[1]]
        rule = _RULES.get(_rule_name(node.target))
        if rule is None:
            raise CaptureError(f"{self.model_name}: {node.target} on a complex tensor: ember has no real form of"
                               " it yet (complex tensors compile as (real, imaginary) pairs)")
        return rule(*args, **kwargs)
