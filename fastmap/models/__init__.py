"""One module per model; each defines ``MODEL`` (a :class:`fastmap.modeldef.Model`)."""
