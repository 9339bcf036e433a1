"""Compiled pieces shared by every model's chunk driver.

A chunk is a C-ordered block of ``n`` cells. Parameter ``k`` takes its value at cell ``i`` from a
padded table: ``values[k, (i // stride[k]) % length[k]]``; a fixed parameter has length 1 and is
read once per block, a parameter tied to a grid axis (or a broadcast input of ``solve``) moves on
every ``stride[k]`` cells (``moving`` lists those). ``select`` lists the continuous output slots to keep
and ``out[j, i]`` (float64) receives slot ``select[j]`` of cell ``i``; ``select_codes`` and
``codes`` (int8) do the same for the categorical outputs. The kernel writes each cell's outputs
into one row of a small per-block buffer (contiguous, cache-resident); the block is then copied
to ``out`` eight outputs at a time, so the writes to memory are long contiguous runs rather than
one value to each of dozens of output rows per cell (measured: about the speed of ``np.full``).

Every model module defines its driver ``evaluate``: a ``numba.prange`` loop over blocks that
loads the block's first cell's parameters (``first_point``), calls the model's scalar kernel on
one row of the block's buffer for each cell, stepping from cell to cell without divisions
(``next_point``), and flushes the block (``flush_block``) into the float and the code outputs; see
``fastmap.models.import_tax_channels.evaluate``. The few lines are repeated per model because
numba cannot cache a function that receives another compiled function as an argument or closes
over one.

Buffers are allocated once per block of ``BLOCK`` cells, never per cell.

``numba.prange`` splits its range into one contiguous share per thread up front. A cell's cost
depends on its regime (an iterative solve costs several closed forms), and regimes come in
bands along the grid's axes, so contiguous shares can differ in cost by half (newsvendor, omega
in [0.3, 0.65] vs [0.65, 1]: 0.23 s vs 0.37 s). ``block_cells`` therefore visits the blocks in a
scattered order (loop index times a large prime, modulo the number of blocks: a permutation), so
that every thread's share samples the whole chunk.
"""

import numpy as np
from numba import njit

BLOCK = 1024  # 8 KiB runs per output row: write bandwidth 14 GB/s vs 10 at 256 (scattered order);
#               the buffer (~1 MiB for ~120 outputs) stays in L2
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
    row per cell)."""
    positions = np.empty(moving.shape[0], dtype=np.int64)
    return values[:, 0].copy(), positions, positions.copy(), np.empty((BLOCK, n_outputs))


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


@njit(cache=True, error_model="numpy")
def flush_block(buffer, select, out, cells):
    """Copy the block's buffer (one row per cell) into ``out`` (one row per selected output).

    Eight outputs at a time: each buffer row's cache line is read once per group of eight
    instead of once per output, and eight output rows are written as parallel contiguous runs
    (service_gray_market, 2048^2, 87 outputs: 0.98-1.06 s -> 0.85 s vs one output at a time).
    """
    start = cells.start
    n_selected = select.shape[0]
    j = 0
    while j + 8 <= n_selected:
        s0, s1, s2, s3 = select[j], select[j + 1], select[j + 2], select[j + 3]
        s4, s5, s6, s7 = select[j + 4], select[j + 5], select[j + 6], select[j + 7]
        r0, r1, r2, r3 = out[j], out[j + 1], out[j + 2], out[j + 3]
        r4, r5, r6, r7 = out[j + 4], out[j + 5], out[j + 6], out[j + 7]
        for cell in cells:
            b = buffer[cell - start]
            r0[cell], r1[cell], r2[cell], r3[cell] = b[s0], b[s1], b[s2], b[s3]
            r4[cell], r5[cell], r6[cell], r7[cell] = b[s4], b[s5], b[s6], b[s7]
        j += 8
    for j in range(j, n_selected):
        slot = select[j]
        row = out[j]
        for cell in cells:
            row[cell] = buffer[cell - start, slot]
