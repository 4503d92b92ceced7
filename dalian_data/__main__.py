"""``python -m dalian_data`` is the ``dalian-data`` command."""

from dalian_data.cli import main

raise SystemExit(main())
