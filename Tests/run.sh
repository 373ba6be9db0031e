#!/usr/bin/env bash
# The whole test suite: installs missing system packages, builds in release mode (the engines are
# numeric code; debug builds are 10-50x slower) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/install-system-packages
swift build -c release --product ptychite
# XCTest only: no test uses Swift Testing, whose empty run would otherwise close the log with "0 tests".
swift test -c release --disable-swift-testing "$@"
