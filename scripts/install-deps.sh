#!/bin/sh
# install-deps.sh [--test] - install the Debian/Ubuntu packages a checkout of
# pyzap needs: to build (default), or to build and run the whole test suite
# (--test, what CI installs). Works the same as root (containers, CI: no sudo
# there) and as a user with sudo; installs nothing when all is present.
set -eu

# Build: musl-tools (the static launcher), libxxhash-dev + zlib1g-dev (headers
# and libz.a), unzip, make, gcc; python3-pip for Debian's python3.
BUILD="musl-tools libxxhash-dev zlib1g-dev unzip make gcc"
# Tests: util-linux (unshare, setpriv); clang + libclang-rt-14-dev (libFuzzer,
# test/hardening.test.ts); zsh, fish (test/completion.test.ts); the arm64
# launcher (cross compiler, arm64 static libc and libz, qemu to run it);
# real applications (test/realapps-*.test.ts, test/env-recipe.test.ts):
# Debian's certbot and its pip, pebble, openssl, apache2 + mod_wsgi.
TEST="util-linux clang libclang-rt-14-dev zsh fish gcc-aarch64-linux-gnu libc6-dev-arm64-cross zlib1g-dev:arm64
qemu-user-static python3-pip python3-certbot pebble openssl apache2 libapache2-mod-wsgi-py3"

packages=$BUILD
case "${1:-}" in
--test) packages="$BUILD $TEST" ;;
"") ;;
*) echo "usage: scripts/install-deps.sh [--test]" >&2; exit 2 ;;
esac

missing=""
for p in $packages; do
    dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

# Root runs apt-get itself (containers have no sudo); anyone else through sudo.
if [ "$(id -u)" = 0 ]; then as_root=""; else as_root="sudo"; fi
apt="$as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
case "$missing" in *:arm64*) $as_root dpkg --add-architecture arm64 ;; esac
# apache2's postinst would start the system service on port 80: deny service
# starts while installing (Docker images ship this file already).
cleanup=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    $as_root sh -c 'printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    cleanup="$as_root rm -f /usr/sbin/policy-rc.d"
fi
trap '$cleanup' EXIT
$apt update -qq
# shellcheck disable=SC2086
$apt install -y -qq --no-install-recommends $missing >/dev/null
