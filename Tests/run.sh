#!/usr/bin/env bash
# The whole test suite: installs missing system packages, builds in release mode (the engines are
# numeric code; debug builds are 10-50x slower) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/install-system-packages
# The container image's binary: the Swift runtime linked in statically, as the Containerfile's build stage
# makes it. Kept aside for ContainerRuntimeTests (Tests/container/check-runtime-stage.sh), because the
# test build below links .build/release/ptychite again without it; the compiled modules are shared, so
# this costs one more link, not a second build.
swift build -c release --product ptychite --static-swift-stdlib
mkdir -p .build/container-check
cp "$(swift build -c release --show-bin-path)/ptychite" .build/container-check/ptychite
export PTYCHITE_CONTAINER_BINARY="$PWD/.build/container-check/ptychite"
swift build -c release --product ptychite
# XCTest only: no test uses Swift Testing, whose empty run would otherwise close the log with "0 tests".
swift test -c release --disable-swift-testing "$@"
