#!/bin/sh
# build-dist.sh - build the launcher for every platform this machine can
# target and put each binary where the one `pyzap` npm package ships it
# (packages/cli/launchers/OS-CPU/pyzap-launcher). The launchers are payload
# for the bundle's target, not programs this machine runs, so every one of
# them goes into the package (see scripts/prepack.mjs).
#   linux-x64:   the host build (musl-gcc -static, else gcc -static)
#   linux-arm64: aarch64-linux-gnu-gcc -static with Debian's arm64 libz.a
#                (gcc-aarch64-linux-gnu libc6-dev-arm64-cross zlib1g-dev:arm64);
#                skipped with a note when the cross compiler is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
launchers="$here/../packages/cli/launchers"

install_into() { # BINARY PLATFORM
    mkdir -p "$launchers/$2"
    cp "$1" "$launchers/$2/pyzap-launcher.tmp"
    mv "$launchers/$2/pyzap-launcher.tmp" "$launchers/$2/pyzap-launcher"
}

case "$(uname -m)" in
x86_64) host=linux-x64 ;;
aarch64) host=linux-arm64 ;;
*) echo "build-dist: no launcher package for $(uname -m); build with make and set PYZAP_LAUNCHER" >&2; exit 1 ;;
esac

make -s -C "$here"
install_into "$here/build/pyzap-launcher" "$host"

if [ "$host" = linux-x64 ]; then
    zlib_arm64=/usr/lib/aarch64-linux-gnu/libz.a
    if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 && [ -f "$zlib_arm64" ]; then
        make -s -C "$here" BUILD=build/linux-arm64 LCC=aarch64-linux-gnu-gcc \
            LCC_NOTE="aarch64-linux-gnu-gcc -static (glibc)" ZLIB_A="$zlib_arm64"
        install_into "$here/build/linux-arm64/pyzap-launcher" linux-arm64
    else
        echo "build-dist: skipping linux-arm64 (needs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, zlib1g-dev:arm64)"
    fi
fi
