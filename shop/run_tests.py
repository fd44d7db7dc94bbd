"""Runs shop/tests with unittest, verbosely on standard output (pkg-scripts/test.mjs
reads the `Ran N tests` and `FAILED (...)` lines). Usage: python shop/run_tests.py"""

import sys
import unittest
from pathlib import Path

SHOP = Path(__file__).resolve().parent

if __name__ == "__main__":
    sys.path.insert(0, str(SHOP))
    suite = unittest.defaultTestLoader.discover(str(SHOP / "tests"), top_level_dir=str(SHOP))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
