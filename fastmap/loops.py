"""Compiled pieces shared by every model's chunk driver.

A chunk is a C-ordered block of ``n`` cells. Parameter ``k`` takes its value at cell ``i`` from a
padded table: ``values[k, (i // stride[k]) % length[k]]``; a fixed parameter has length 1 and is
read once per block, a parameter tied to a grid axis (or a broadcast input of ``solve``) moves on
every ``stride[k]`` cells (``moving`` lists those). ``select`` lists the continuous output slots to keep
and ``out[j, i]`` (float64) receives slot ``select[j]`` of cell ``i``; ``select_codes`` and
``codes`` (int8) do the same for the categorical outputs. The kernel writes each cell's outputs
into one row of a small per-block buffer (cache-resident, stored output-major: ``buffer[cell]`` is
a strided view); the block is then copied to ``out`` one output row at a time, so the writes to
memory are long contiguous runs rather than one value to each of dozens of output rows per cell,
and float64 rows are written with non-temporal stores (see ``flush_block``).

Every model module defines its driver ``evaluate``: a ``numba.prange`` loop over blocks that
fills each block's buffer with ``fill_block`` and flushes it (``flush_block``) into the float and
the code outputs; ``fill_block`` loads the block's first cell's parameters (``first_point``) and
runs the model's scalar kernel on one row of the buffer for each cell, stepping from cell to cell
without divisions (``next_point``). See ``fastmap.models.import_tax_channels.evaluate``. The few
lines are repeated per model because numba cannot cache a function that receives another compiled
function as an argument or closes over one.

The kernel is declared ``inline="always"`` and so compiled into ``fill_block``, a serial function
(numba's array analysis rejects some kernels inlined into the ``prange`` body itself). Called
instead, it receives a fresh view of its buffer row each cell, which numba's reference counting
pays for with two atomic updates and a call: 10-18 ns per cell on every model (one thread,
outputs in memory already, 512^2 over each benchmark's grid, A/B in one process: service
276 -> 261, power 253 -> 242, nev 200 -> 182, import_tax 171 -> 162, newsvendor 790 -> 770).

``service_gray_market`` departs from the pattern: its ``fill_block`` lays the block's
parameters out one after the other and solves the cells eight at a time in SIMD registers (LLVM's
loop vectoriser), then redoes the few cells outside the common path with the scalar kernel; see
``fastmap.models.service_gray_market.fill_block``.

Buffers are allocated once per block of ``BLOCK`` cells, never per cell.

``numba.prange`` splits its range into one contiguous share per thread up front. A cell's cost
depends on its regime (an iterative solve costs several closed forms), and regimes come in
bands along the grid's axes, so contiguous shares can differ in cost by half (newsvendor, omega
in [0.3, 0.65] vs [0.65, 1]: 0.23 s vs 0.37 s). ``block_cells`` therefore visits the blocks in a
scattered order (loop index times a large prime, modulo the number of blocks: a permutation), so
that every thread's share samples the whole chunk.
"""

import platform

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

BLOCK = 1024  # 8 KiB runs per output row: write bandwidth 14 GB/s vs 10 at 256 (scattered order);
#               the buffer (~1 MiB for ~120 outputs) stays in L2
PAD = 8  # buffer rows 64 B apart modulo 4 KiB: a cell's ~100 writes do not alias in the L1 cache
X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
SCATTER = 1_000_003  # prime; i -> i * SCATTER % n_blocks permutes any count of blocks it does not divide


@njit(cache=True, error_model="numpy")
def n_blocks(n):
    return (n + BLOCK - 1) // BLOCK


@njit(cache=True, error_model="numpy")
def block_cells(i, n):
    """The cells of the ``i``-th block visited (in scattered order) out of ``n`` cells."""
    count = n_blocks(n)
    block = i * SCATTER % count if count % SCATTER else i
    return range(block * BLOCK, min(n, (block + 1) * BLOCK))


@njit(cache=True, error_model="numpy")
def block_buffers(values, moving, n_outputs):
    """The block's parameter vector (preloaded with every parameter's first value), the position
    of each moving parameter and the cells left before it moves on, and the output buffer (one
    row per cell, stored one output after the other: ``flush_block`` reads each output's values
    contiguously)."""
    positions = np.empty(moving.shape[0], dtype=np.int64)
    return values[:, 0].copy(), positions, positions.copy(), np.empty((n_outputs, BLOCK + PAD)).T


@njit(cache=True, error_model="numpy")
def first_point(values, moving, stride, length, cell, p, position, left):
    """Load the parameters of ``cell``, the first of a block."""
    for j in range(moving.shape[0]):
        k = moving[j]
        position[j] = (cell // stride[k]) % length[k]
        left[j] = stride[k] - cell % stride[k]
        p[k] = values[k, position[j]]


@njit(cache=True, error_model="numpy")
def next_point(values, moving, stride, length, p, position, left):
    """Advance to the next cell: a parameter moves on every ``stride`` cells (no division)."""
    for j in range(moving.shape[0]):
        left[j] -= 1
        if left[j] == 0:
            k = moving[j]
            left[j] = stride[k]
            position[j] += 1
            if position[j] == length[k]:
                position[j] = 0
            p[k] = values[k, position[j]]


@njit(cache=True, error_model="numpy")
def selected_parts(part_of_slot, select, select_codes):
    """The bit flags of the parts of the work that the selected output slots need, for models
    whose kernel skips parts (``part_of_slot[slot]``: the parts slot ``slot`` needs)."""
    parts = 0
    for slot in select:
        parts |= part_of_slot[slot]
    for slot in select_codes:
        parts |= part_of_slot[slot]
    return parts


@intrinsic
def _stream_store(typingctx, row, index, value):
    """``row[index] = value``; a float64 store is non-temporal (it goes to memory without first
    reading the line into the cache), any other dtype a plain store of the converted value."""
    if not (isinstance(row, types.Array) and isinstance(index, types.Integer)
            and isinstance(value, types.Float)):
        return None

    def codegen(context, builder, signature, args):
        row_type, _, value_type = signature.args
        data = context.make_array(row_type)(context, builder, args[0]).data
        pointer = builder.gep(data, [args[1]])
        if row_type.dtype != types.float64:
            converted = context.cast(builder, args[2], value_type, row_type.dtype)
            builder.store(converted, pointer)
            return context.get_dummy_value()
        # Through i64: LLVM keeps the non-temporal hint on integer stores (movnti).
        i64 = ir.IntType(64)
        store = builder.store(builder.bitcast(args[2], i64), builder.bitcast(pointer, i64.as_pointer()))
        store.set_metadata("nontemporal", builder.module.add_metadata([ir.Constant(ir.IntType(32), 1)]))
        return context.get_dummy_value()

    return types.void(row, index, value), codegen


@intrinsic
def _store_fence(typingctx):
    """The non-temporal stores before it are globally visible before any store after it (here:
    before the thread reports its share of the loop done). On x86 that takes ``sfence`` (LLVM's
    release fence orders ordinary stores only); elsewhere a release fence orders every store."""
    def codegen(context, builder, signature, args):
        if X86:
            fence = ir.FunctionType(ir.VoidType(), [])
            builder.call(cgutils.get_or_insert_function(builder.module, fence, "llvm.x86.sse.sfence"), [])
        else:
            builder.fence("release")
        return context.get_dummy_value()

    return types.void(), codegen


@njit(cache=True, error_model="numpy")
def flush_block(buffer, select, out, cells):
    """Copy the block's buffer (one row per cell) into ``out`` (one row per selected output),
    one output row at a time: contiguous reads, and contiguous non-temporal writes for float64
    outputs. Fresh output pages are zeroed by the OS when first touched and have left the cache
    long before the block that fills them comes along (~80 output rows of one 2 MiB page each are
    in flight); an ordinary store would read each line back from memory first.
    (service_gray_market, 2048^2, 83 outputs, A/B in one process against eight rows at a time from
    a cell-major buffer: CPU per cell 362 -> 329 ns into fresh outputs, 285 -> 246 ns into
    prefaulted ones; best wall 0.744 -> 0.689 s. In A/B runs that also time a one-thread fill of
    2 GiB each round, though, the median sweep was slower, 0.90-1.11 vs 0.81-0.95 s, its slow
    rounds following the fill; see README.)
    """
    start = cells.start
    for j in range(select.shape[0]):
        source = buffer[:, select[j]]
        row = out[j]
        for c in range(len(cells)):
            _stream_store(row, start + c, source[c])
    _store_fence()
