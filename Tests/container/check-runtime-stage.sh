#!/usr/bin/env bash
# Checks the Containerfile's runtime stage without a container engine (CI has none): replays the stage's
# own steps (its ARG/ENV/RUN/WORKDIR/COPY, read from the Containerfile by containerfile.py) on a bare
# Debian 12 root made by debootstrap, copies in the CI's release `ptychite` laid out by
# container/stage-binary.sh (as the build stage does: the binary and its Swift runtime libraries), then runs it there as a uid:gid with no passwd entry and HOME=/tmp, the way a
# portal does: --version, --help, simulate, info, reconstruct, and `serve` started through the image's
# ENTRYPOINT (tini), found through the catalogue's log regular expression, probed with the image's
# HEALTHCHECK, given a job that runs to COMPLETE, and stopped with SIGTERM. Also checks the tini path,
# the NVIDIA ICD file and that every library the binary needs resolves inside the root.
#
#   Tests/container/check-runtime-stage.sh [PTYCHITE_BINARY]     (default: .build/release/ptychite)
#
# Needs root (chroot, mounts), debootstrap, curl, python3 and network access to the Debian mirror
# (PTYCHITE_DEBIAN_MIRROR, default http://deb.debian.org/debian). Exits 77 with "SKIP: why" when a
# prerequisite is missing, 0 when every check passed, 1 with "FAIL: what" otherwise. The minbase root is
# cached as a tarball in PTYCHITE_CONTAINER_CHECK_CACHE (default /tmp/ptychite-container-check-cache);
# each run unpacks a fresh copy into a temporary folder and removes it at the end.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
containerfile="$repo/Containerfile"
catalogue="$repo/Samples/portal/calipsoplus-image.json"   # its logs_er must find the token
binary="${1:-${PTYCHITE_BINARY:-$repo/.build/release/ptychite}}"
mirror="${PTYCHITE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${PTYCHITE_CONTAINER_CHECK_CACHE:-/tmp/ptychite-container-check-cache}"
# A portal's user: a uid with no passwd entry, the "users" group (CALIPSOplus adds group 100).
run_uid="${PTYCHITE_CHECK_UID:-12345}"
run_gid="${PTYCHITE_CHECK_GID:-100}"
started=$SECONDS

say() { echo "check-runtime-stage: $*"; }
fail() { echo "check-runtime-stage: FAIL: $*" >&2; exit 1; }
skip() { echo "check-runtime-stage: SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mounts); run as root, as CI does"
command -v debootstrap >/dev/null 2>&1 || skip "debootstrap is not installed (apt-get install debootstrap)"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3 || true)"
[ -n "$python" ] || skip "python3 is not installed"
[ -f "$containerfile" ] || fail "no Containerfile at $containerfile"
[ -x "$binary" ] || fail "no ptychite binary at $binary (build it: swift build -c release --product ptychite)"

stage() { "$python" "$here/containerfile.py" "$containerfile" runtime "$@"; }
image_value() { stage get "$1"; }   # shell-quoted words

# ----------------------------------------------------------------------------------------------------
# Static checks of the Containerfile itself.
runtime_packages="$(eval "printf '%s' $(image_value arg:RUNTIME_PACKAGES)")"
[ -n "$runtime_packages" ] || fail "the runtime stage's RUNTIME_PACKAGES is empty"
for package in tini libfftw3-single3 libhdf5-103-1 libpng16-16 libopenblas0 liblapacke libsqlite3-0 \
               ocl-icd-libopencl1 pocl-opencl-icd; do
    [[ " $runtime_packages " == *" $package "* ]] || fail "RUNTIME_PACKAGES lacks $package"
done
[ "$(image_value base)" = "debian:12-slim" ] || fail "the runtime stage is not FROM debian:12-slim"
eval "entrypoint=($(image_value entrypoint))"
eval "default_cmd=($(image_value cmd))"
eval "healthcheck=($(image_value healthcheck))"
eval "exposed=($(image_value expose))"
[ "${entrypoint[1]:-}" = "--" ] || fail "ENTRYPOINT is not 'tini -- ptychite': ${entrypoint[*]}"
[ "${default_cmd[*]}" = "serve" ] || fail "CMD is not [\"serve\"]: ${default_cmd[*]}"
[ "${exposed[*]}" = "8888" ] || fail "EXPOSE is not 8888: ${exposed[*]}"
[ "$(eval "printf '%s' $(image_value env:HOME)")" = "/tmp" ] || fail "ENV HOME is not /tmp"
image_user="$(eval "printf '%s' $(image_value user)")"
[[ "$image_user" =~ ^[1-9][0-9]*:[0-9]+$ ]] || fail "USER should be a numeric non-root uid:gid, is '$image_user'"
for label in title description version revision source; do
    stage get "label:org.opencontainers.image.$label" >/dev/null || fail "OCI label org.opencontainers.image.$label missing"
done
grep -q 'container/stage-binary.sh' "$containerfile" || fail "the build stage no longer lays out /out with container/stage-binary.sh"
say "Containerfile: runtime packages: $runtime_packages"

# ----------------------------------------------------------------------------------------------------
# A bare Debian 12 root (cached minbase tarball), fresh for every run.
mkdir -p "$cache"
tarball="$cache/bookworm-minbase.tar"
# A week-old root is made again (the packages installed into it come fresh from the mirror anyway).
if [ -n "$(find "$tarball" -mtime +7 2>/dev/null)" ]; then rm -f "$tarball"; fi
if [ ! -s "$tarball" ]; then
    say "debootstrap --variant=minbase bookworm (once; cached in $tarball)"
    fresh="$(mktemp -d "$cache/debootstrap.XXXXXX")"
    t0=$SECONDS
    if ! debootstrap --variant=minbase bookworm "$fresh/root" "$mirror" >"$fresh/debootstrap.log" 2>&1; then
        tail -20 "$fresh/debootstrap.log" >&2
        rm -rf --one-file-system "$fresh"
        fail "debootstrap failed (mirror $mirror)"
    fi
    tar -C "$fresh/root" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf --one-file-system "$fresh"
    say "debootstrap took $((SECONDS - t0)) s"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ptychite-runtime-check.XXXXXX")"
root="$work/root"
server_pid=""
cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    # Kill what may still run inside the root (children of a failed serve), then unmount, deepest first.
    for proc in /proc/[0-9]*; do
        if [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ]; then kill -KILL "${proc#/proc/}" 2>/dev/null || true; fi
    done
    for mountpoint in "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc"; do
        if mountpoint -q "$mountpoint" 2>/dev/null; then umount -l "$mountpoint" || true; fi
    done
    if grep -q " $root/" /proc/mounts; then
        echo "check-runtime-stage: still mounted under $root; leaving $work in place" >&2
    else
        rm -rf --one-file-system "$work"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

mkdir -p "$root"
tar -C "$root" -xf "$tarball"
# The sources debian:12-slim has (the release, its updates and security), instead of debootstrap's one line.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${PTYCHITE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount --bind /dev "$root/dev"

# ----------------------------------------------------------------------------------------------------
# Replay the runtime stage's steps in the root, as the builder would (ARG and ENV visible to RUN, RUN
# through /bin/sh -c as root, WORKDIR created).
declare -A build_env=()
workdir=/
env_args() {
    local name
    printf '%s\0' "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    for name in "${!build_env[@]}"; do printf '%s\0' "$name=${build_env[$name]}"; done
}
step_arg() { build_env[$1]="$2"; }
step_env() { build_env[$1]="$2"; }
step_workdir() { workdir="$1"; mkdir -p "$root$workdir"; }
step_run() {
    say "RUN $1"
    local t0=$SECONDS
    mapfile -d '' environment < <(env_args)
    if ! chroot "$root" /usr/bin/env -i "${environment[@]}" /bin/sh -c "cd '$workdir' && $1" >"$work/step.log" 2>&1; then
        tail -30 "$work/step.log" >&2
        fail "the runtime stage's step failed on bare Debian 12: RUN $1"
    fi
    say "  ($((SECONDS - t0)) s)"
}
step_copy_from_build() {   # the build stage's /out, made here by the same script from $binary
    [ "$1" = "build" ] || fail "COPY --from=$1: only the build stage is known to the check"
    [[ "$2" == /out/* ]] || fail "COPY --from=build $2: the check knows only the build stage's /out"
    local build="$work/build-stage"
    if [ ! -d "$build/out" ]; then
        bash "$repo/container/stage-binary.sh" "$binary" "$build/out" || fail "container/stage-binary.sh failed"
    fi
    if [ -d "$build$2" ]; then   # a folder's contents, merged into the destination (as COPY does)
        mkdir -p "$root$3" && cp -a "$build$2/." "$root$3/"
    else
        install -D -m 0755 "$build$2" "$root$3"
    fi
    say "COPY --from=build $2 $3 (container/stage-binary.sh $binary)"
}
steps="$(stage steps)"
eval "$steps"

# ----------------------------------------------------------------------------------------------------
# What the image must hold.
[ -x "$root${entrypoint[0]}" ] || fail "ENTRYPOINT's ${entrypoint[0]} is not an executable in the image (package tini installs $(chroot "$root" sh -c 'command -v tini' || echo nothing))"
[ -x "$root${entrypoint[2]}" ] || fail "ENTRYPOINT's ${entrypoint[2]} is not in the image"
[ "$(cat "$root/etc/OpenCL/vendors/nvidia.icd" 2>/dev/null)" = "libnvidia-opencl.so.1" ] \
    || fail "/etc/OpenCL/vendors/nvidia.icd does not contain exactly libnvidia-opencl.so.1"
ls "$root"/etc/OpenCL/vendors/*.icd | grep -q pocl || fail "no PoCL ICD file in /etc/OpenCL/vendors"
ldd_in_root() { chroot "$root" /usr/bin/ldd "$1" 2>&1; }
links="$(ldd_in_root "${entrypoint[2]}")" || fail "ldd cannot read ${entrypoint[2]} in the image: $links"
missing="$(grep 'not found' <<<"$links" || true)"
[ -z "$missing" ] || fail "libraries the binary needs are missing from the image:
$missing"
outside="$(grep -E 'lib(swift|Foundation|dispatch|BlocksRuntime|_FoundationICU)' <<<"$links" | grep -v '=> /usr/local/lib/swift/' || true)"
[ -z "$outside" ] || fail "Swift runtime libraries resolve outside /usr/local/lib/swift:
$outside"
say "binary links: $(awk '{print $1}' <<<"$links" | tr '\n' ' ')"
say "image root: $(du -sm --exclude=proc --exclude=sys --exclude=dev "$root" | cut -f1) MiB"

# ----------------------------------------------------------------------------------------------------
# Run it as the portal would: a uid:gid without passwd entry, the image's ENV and WORKDIR, nothing else.
image_env=()
for name in "${!build_env[@]}"; do
    stage get "env:$name" >/dev/null 2>&1 && image_env+=("$name=${build_env[$name]}")
done
pids_in_root() {   # pids_in_root NAME: processes named NAME whose root is the image root
    local proc
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] && [ "$(cat "$proc/comm" 2>/dev/null)" = "$1" ] \
            && echo "${proc#/proc/}"
    done
    return 0
}
in_image() {   # in_image [VAR=VALUE...] -- COMMAND...: as the portal's user, in the image's environment
    local extra=()
    while [ "$1" != "--" ]; do extra+=("$1"); shift; done
    shift
    chroot --userspec="$run_uid:$run_gid" "$root" /usr/bin/env -i \
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${image_env[@]}" "${extra[@]}" \
        /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
}
ptychite="${entrypoint[2]}"
in_image -- "$ptychite" --version >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "ptychite --version failed in the image"; }
say "ptychite --version: $(cat "$work/out")"
in_image -- "$ptychite" --help >"$work/out" 2>&1 || fail "ptychite --help failed in the image"
grep -q "serve" "$work/out" || fail "ptychite --help does not list serve"
# The image's OpenCL: PoCL (the CPU fallback) must be listed, and `auto` must keep to the CPU without a GPU.
in_image -- "$ptychite" info --devices >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "ptychite info --devices failed in the image"; }
grep -q "Portable Computing Language" "$work/out" || { cat "$work/out" >&2; fail "info --devices does not list PoCL in the image"; }
grep -q -- "--device auto uses: the CPU" "$work/out" || { cat "$work/out" >&2; fail "--device auto does not pick the CPU without a GPU"; }
say "info --devices: $(tr '\n' ' ' <"$work/out")"

# The default data/results folders must be usable by any uid; the portal mounts its own over them.
in_image -- "$ptychite" simulate /tmp/data/scan.cxi --frames 40 --frame-size 64 --seed 3 >"$work/out" 2>&1 \
    && fail "the data folder /tmp/data is writable by uid $run_uid; it should be read-only for users" || true
mkdir -p "$root/tmp/data/user" && chown "$run_uid:$run_gid" "$root/tmp/data/user"   # the portal's data mount
in_image -- "$ptychite" simulate /tmp/data/user/scan.cxi --frames 40 --frame-size 64 --seed 3 >"$work/out" 2>&1 \
    || { cat "$work/out" >&2; fail "ptychite simulate failed in the image"; }
in_image -- "$ptychite" info /tmp/data/user/scan.cxi >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "ptychite info failed in the image"; }
in_image -- "$ptychite" reconstruct /tmp/data/user/scan.cxi -o result.h5 --engine DM:3,ePIE:2 --probe-diameter-um 3 \
    >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "ptychite reconstruct failed in the image (in the WORKDIR $workdir)"; }
[ -s "$root$workdir/result.h5" ] || fail "reconstruct wrote no $workdir/result.h5"
[ "$(stat -c %u "$root$workdir/result.h5")" = "$run_uid" ] || fail "the result is not owned by the running uid"
# The OpenCL path through the image's ICD loader and PoCL (HOME=/tmp holds PoCL's kernel cache).
in_image -- "$ptychite" reconstruct /tmp/data/user/scan.cxi -o result-opencl.h5 --engine DM:3 --device opencl \
    --probe-diameter-um 3 >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "ptychite reconstruct --device opencl failed in the image"; }
grep -q "on opencl: " "$work/out" || { cat "$work/out" >&2; fail "reconstruct --device opencl did not run on OpenCL"; }
say "simulate, info, reconstruct: ok (result $(stat -c %s "$root$workdir/result.h5") bytes)"

# ----------------------------------------------------------------------------------------------------
# serve, through the ENTRYPOINT (tini) with the default CMD, on a free port (PTYCHITE_BIND=127.0.0.1:0).
log="$root/tmp/serve.log"
: >"$log"; chown "$run_uid:$run_gid" "$log"
in_image PTYCHITE_BIND=127.0.0.1:0 -- /bin/sh -c 'exec "$@" >/tmp/serve.log 2>&1' sh "${entrypoint[@]}" "${default_cmd[@]}" &
server_pid=$!
# The access-URL line (`Ptychite is serving at URL`), and the token in it found the way CALIPSOplus finds
# it: re.findall(logs_er, str(line)) over the log as bytes, the first match appended to "/?".
url=""
for _ in $(seq 1 150); do
    url="$(sed -nE 's#^Ptychite is serving at (http://[^ ]+)$#\1#p' "$log" | head -n 1)"
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "ptychite serve exited before printing its access URL"; }
    sleep 0.2
done
[ -n "$url" ] || { cat "$log" >&2; fail "no 'Ptychite is serving at URL' line within 30 s"; }
port="$(sed -E 's#^http://[^:/]+:([0-9]+)/.*#\1#' <<<"$url")"
token="$(sed -nE 's#.*[?&]token=([^&]+)$#\1#p' <<<"$url")"
[ -n "$token" ] || fail "the access URL carries no token (auth mode token is the image's default): $url"
found="$("$python" -c '
import json, re, sys
entry = json.load(open(sys.argv[1]))[0]["fields"]
for line in open(sys.argv[2], "rb"):
    found = re.findall(entry["logs_er"], str(line))
    if found:
        print(found[0])
        break
' "$catalogue" "$log")" || fail "cannot read logs_er from $catalogue"
[ "$found" = "token=$token" ] || fail "the catalogue's logs_er finds '$found' in the log, not 'token=$token'"
say "serve: $url (the catalogue's logs_er finds '$found')"
tini_pid="$(pids_in_root tini | head -n 1)"
[ -n "$tini_pid" ] || fail "no tini process: the ENTRYPOINT did not start tini"
[ -n "$(pids_in_root ptychite)" ] || fail "no ptychite process under tini"

# The HEALTHCHECK, exactly as the Containerfile gives it, inside the image.
in_image PTYCHITE_BIND="127.0.0.1:$port" -- "${healthcheck[@]}" || fail "the HEALTHCHECK command failed against a running serve"
in_image PTYCHITE_BIND="127.0.0.1:1" -- "${healthcheck[@]}" 2>/dev/null \
    && fail "the HEALTHCHECK command succeeded with nothing listening"
say "HEALTHCHECK: passes against serve, fails with nothing listening"

# One job through the API: the local executor runs `ptychite reconstruct` inside the image.
api="http://127.0.0.1:$port/api/v1"
auth=(-H "Authorization: Bearer $token")
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] || fail "GET /healthz is not 200"
job="$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
    -d '{"input": "user/scan.cxi", "engine": "DM:3,ePIE:2", "probe_diameter": 3e-6}' "$api/jobs")" \
    || fail "POST /api/v1/jobs failed"
job_id="$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$job")"
state=""
for _ in $(seq 1 240); do
    state="$(curl -sf "${auth[@]}" "$api/jobs/$job_id" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["state"])')"
    case "$state" in COMPLETE|EXECUTOR_ERROR|SYSTEM_ERROR|CANCELED) break ;; esac
    sleep 0.5
done
[ "$state" = "COMPLETE" ] || { curl -s "${auth[@]}" "$api/jobs/$job_id" >&2; fail "the job ended in state '$state', not COMPLETE"; }
curl -sf "${auth[@]}" "$api/jobs/$job_id/results" | grep -q '"name"' || fail "the finished job lists no results"
[ -d "$root$workdir/.ptychite" ] || fail "the job store is not in the working directory ($workdir/.ptychite)"
say "job $job_id: COMPLETE, store in $workdir/.ptychite"

# SIGTERM to the container's pid 1 (tini) stops everything gracefully.
kill -TERM "$tini_pid"
for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$server_pid" 2>/dev/null && fail "serve did not stop within 20 s of SIGTERM"
status=0; wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || [ "$status" -eq 143 ] || { cat "$log" >&2; fail "serve exited with $status after SIGTERM"; }
say "SIGTERM: stopped (exit $status)"

say "all checks passed in $((SECONDS - started)) s"
