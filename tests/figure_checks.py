"""Checks every gallery figure must pass (shared by the gallery tests of every model)."""

import matplotlib
import matplotlib.figure
import matplotlib.pyplot as plt

matplotlib.use("Agg")


def assert_publishable(draw):
    """``draw()`` returns a Figure whose data axes have labels with units (or "[dimensionless]")
    and which has a legend or labelled colour bars (heat maps); it renders without error."""
    fig = draw()
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        colorbars = [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is not None]
        axes = [ax for ax in fig.axes
                if ax.get_visible() and ax.has_data() and ax not in colorbars]
        assert axes
        for ax in axes:
            assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
            assert "[" in ax.get_xlabel() and "[" in ax.get_ylabel()
        for bar in colorbars:
            assert (bar.get_ylabel() or bar.get_xlabel()).strip(), "unlabelled colour bar"
        assert fig.legends or any(ax.get_legend() is not None for ax in axes) or colorbars
        fig.canvas.draw()
    finally:
        plt.close(fig)
