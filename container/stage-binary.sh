#!/usr/bin/env bash
# Lays out a release `ptychite` for the runtime image under OUT: OUT/usr/local/bin/ptychite (stripped),
# the Swift runtime libraries it links (copied from the toolchain it was built with, found with ldd) in
# OUT/usr/local/lib/swift, and OUT/etc/ld.so.conf.d/swift.conf naming that folder (the runtime stage runs
# ldconfig). The Containerfile's build stage runs it, and so does Tests/container/check-runtime-stage.sh
# on the CI's own build, so that the check sees the image's layout.
#
#   container/stage-binary.sh BINARY OUT
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BINARY OUT" >&2; exit 2; }
binary="$1"
out="$2"
[ -x "$binary" ] || { echo "stage-binary: no executable at $binary" >&2; exit 1; }

install -D -m 0755 "$binary" "$out/usr/local/bin/ptychite"
if command -v strip >/dev/null 2>&1; then strip "$out/usr/local/bin/ptychite"; fi

links="$(ldd "$binary")"
if grep -q 'not found' <<<"$links"; then
    echo "stage-binary: $binary needs libraries this machine lacks:" >&2
    grep 'not found' <<<"$links" >&2
    exit 1
fi
mkdir -p "$out/usr/local/lib/swift" "$out/etc/ld.so.conf.d"
# The toolchain's runtime folder is where libswiftCore.so resolves (none with --static-swift-stdlib).
core="$(awk '$1 == "libswiftCore.so" { print $3 }' <<<"$links")"
if [ -n "$core" ]; then
    runtime="$(dirname "$(readlink -f "$core")")"
    while read -r library; do
        cp -L "$library" "$out/usr/local/lib/swift/"
    done < <(awk '$2 == "=>" { print $3 }' <<<"$links" | while read -r path; do
                 [ "$(dirname "$(readlink -f "$path")")" = "$runtime" ] && echo "$path"
             done)
fi
echo /usr/local/lib/swift >"$out/etc/ld.so.conf.d/swift.conf"
echo "stage-binary: $(du -sh "$out/usr/local/bin/ptychite" | cut -f1) binary, $(ls "$out/usr/local/lib/swift" | wc -l) Swift runtime libraries ($(du -sh "$out/usr/local/lib/swift" | cut -f1))"
