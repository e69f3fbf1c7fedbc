"""``python -m pipeline`` runs the command-line tool."""

from .cli import main

main()
