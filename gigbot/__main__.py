"""``python -m gigbot``: the same as the ``gigbot`` command."""

from gigbot.cli import main

raise SystemExit(main())
