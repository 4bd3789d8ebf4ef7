"""The one entry point: `python run_bot.py --help`."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
