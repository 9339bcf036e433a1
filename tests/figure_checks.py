"""Checks every gallery figure must pass (shared by the gallery tests of every model)."""

import matplotlib
import matplotlib.figure
import matplotlib.pyplot as plt

matplotlib.use("Agg")


def assert_publishable(draw):
    """``draw()`` returns a Figure whose data axes have labels with units (or "[dimensionless]")
    and which has a legend; it renders without error."""
    fig = draw()
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        axes = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
        assert axes
        for ax in axes:
            assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
            assert "[" in ax.get_xlabel() and "[" in ax.get_ylabel()
        assert fig.legends or any(ax.get_legend() is not None for ax in axes)
        fig.canvas.draw()
    finally:
        plt.close(fig)
