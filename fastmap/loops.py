"""Compiled pieces shared by every model's chunk driver.

A chunk is a C-ordered block of ``n`` cells. Parameter ``k`` takes its value at cell ``i`` from a
padded table: ``values[k, (i // stride[k]) % length[k]]``; a fixed parameter has length 1 and is
read once per block, a parameter tied to a grid axis (or a broadcast input of ``solve``) is
re-read per cell (``moving`` lists those). ``select`` lists the output slots to keep, and
``out[j, i]`` receives slot ``select[j]`` of cell ``i``; a block's outputs are gathered in a small
buffer and copied to ``out`` row by row, so the writes to memory are long contiguous runs rather
than one value to each of dozens of output rows per cell.

Every model module defines its driver, a few lines over these helpers (numba cannot cache a
function that receives another compiled function as an argument or closes over one)::

    @numba.njit(parallel=True, cache=True)
    def evaluate(values, moving, stride, length, select, out):
        for block in numba.prange(n_blocks(out.shape[1])):
            p, o, buffer = block_buffers(values, N_OUTPUTS, select)
            cells = block_cells(block, out.shape[1])
            for cell in cells:
                load_point(values, moving, stride, length, cell, p)
                kernel(p, o)
                store_point(o, select, buffer, cell - cells.start)
            flush_block(buffer, out, cells)

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
def block_buffers(values, n_outputs, select):
    """Parameter vector preloaded with every parameter's first value, an output vector, and the
    block's buffer of selected outputs."""
    return values[:, 0].copy(), np.empty(n_outputs), np.empty((select.shape[0], BLOCK))


@njit(cache=True, error_model="numpy")
def load_point(values, moving, stride, length, cell, p):
    for j in range(moving.shape[0]):
        k = moving[j]
        p[k] = values[k, (cell // stride[k]) % length[k]]


@njit(cache=True, error_model="numpy")
def store_point(o, select, buffer, offset):
    for j in range(select.shape[0]):
        buffer[j, offset] = o[select[j]]


@njit(cache=True, error_model="numpy")
def flush_block(buffer, out, cells):
    count = cells.stop - cells.start
    for j in range(out.shape[0]):
        out[j, cells.start:cells.stop] = buffer[j, :count]
