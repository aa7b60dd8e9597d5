"""`python -m sora_widget.cli`: the `sora-widget` command, for when its script is not on PATH."""

import sys

from sora_widget.cli.commands import main

sys.exit(main())
