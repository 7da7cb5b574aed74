"""`python -m hall` is the `hall` command."""

import sys

from hall.cli import main

sys.exit(main())
