"""The entry point for spark-submit (README, "Shop side"): the same job on a cluster.
Only the driver runs Python; the executors run the SQL.

  spark-submit --master spark://HOST:7077 shop/submit.py aggregate s3a://shop/reports/ \\
    --engine spark --model model.json --out-model next.json --out-priors priors.json
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shelfwise_shop.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
