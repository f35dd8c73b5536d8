"""``python -m crisis.cli``: the same as the ``crisis`` command."""

from crisis.cli.main import main

main()
