"""Compiled pieces shared by every model's chunk driver.

A chunk is a C-ordered block of ``n`` cells. Parameter ``k`` takes its value at cell ``i`` from a
padded table: ``values[k, (i // stride[k]) % length[k]]``; a fixed parameter has length 1 and is
read once per block, a parameter tied to a grid axis (or a broadcast input of ``solve``) is
re-read per cell (``moving`` lists those). ``select`` lists the continuous output slots to keep
and ``out[j, i]`` (float64) receives slot ``select[j]`` of cell ``i``; ``select_codes`` and
``codes`` (int8) do the same for the categorical outputs. The kernel writes each cell's outputs
into one row of a small per-block buffer (contiguous, cache-resident); the block is then copied
to ``out`` output by output, so the writes to memory are long contiguous runs rather than one
value to each of dozens of output rows per cell (measured: about the speed of ``np.full``).

Every model module defines its driver, a few lines over these helpers (numba cannot cache a
function that receives another compiled function as an argument or closes over one)::

    @numba.njit(parallel=True, cache=True)
    def evaluate(values, moving, stride, length, select, out, select_codes, codes):
        for block in numba.prange(n_blocks(out.shape[1])):
            p, buffer = block_buffers(values, N_OUTPUTS)
            cells = block_cells(block, out.shape[1])
            for cell in cells:
                load_point(values, moving, stride, length, cell, p)
                kernel(p, buffer[cell - cells.start])
            flush_block(buffer, select, out, cells)
            flush_block(buffer, select_codes, codes, cells)

Buffers are allocated once per block of ``BLOCK`` cells, never per cell.
"""

import numpy as np
from numba import njit

BLOCK = 256


@njit(cache=True, error_model="numpy")
def n_blocks(n):
    return (n + BLOCK - 1) // BLOCK


@njit(cache=True, error_model="numpy")
def block_cells(block, n):
    return range(block * BLOCK, min(n, (block + 1) * BLOCK))


@njit(cache=True, error_model="numpy")
def block_buffers(values, n_outputs):
    """Parameter vector preloaded with every parameter's first value, and the block's buffer
    (one row of outputs per cell)."""
    return values[:, 0].copy(), np.empty((BLOCK, n_outputs))


@njit(cache=True, error_model="numpy")
def load_point(values, moving, stride, length, cell, p):
    for j in range(moving.shape[0]):
        k = moving[j]
        p[k] = values[k, (cell // stride[k]) % length[k]]


@njit(cache=True, error_model="numpy")
def flush_block(buffer, select, out, cells):
    for j in range(select.shape[0]):
        slot = select[j]
        row = out[j]
        for cell in cells:
            row[cell] = buffer[cell - cells.start, slot]
