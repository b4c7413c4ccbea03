#!/usr/bin/env bash
# The test command: set up (if needed) and run the pytest suite. Exit code 5 (no test ran) is a failure.
source "$(dirname "$0")/env.sh"
set +e
python -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "pytest ran no test -> failing" >&2; exit 1; fi
exit "$rc"
