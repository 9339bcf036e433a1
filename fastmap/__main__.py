"""``python -m fastmap`` runs the command line."""

from .cli import main

main()
