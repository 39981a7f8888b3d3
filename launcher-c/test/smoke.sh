#!/bin/sh
# smoke.sh LAUNCHER - build real bundles by hand (launcher + appended zip)
# and check what a user would notice: argv, extraction, reuse, environment,
# and the exit code of each failure. Prints "smoke: N passed, N failed".
set -u
LAUNCHER=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
MK="python3 $HERE/mkbundle.py"
T=$(mktemp -d /tmp/pyzap-smoke.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT INT TERM
PASS=0 FAIL=0

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
# expect NAME EXPECTED_RC ACTUAL_RC
expect() { if [ "$2" = "$3" ]; then ok; else bad "$1: exit $3, expected $2"; cat "$T/err" 2>/dev/null; fi; }
check() { name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
PYVER=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cp /bin/true "$T/libx"
cd "$T" || exit 1

# --- a bundle with one native file -----------------------------------------
KEY=$($MK "$LAUNCHER" app.pyz libx:pkg/libx.so.1:755 --python "$PY" --pyver "$PYVER")
chmod 755 app.pyz
export PYZAP_CACHE="$T/cache"
unset PYZAP_PYTHON PYZAP_DEBUG PYTHONPATH

./app.pyz one "two words" '' 'q"uote' >out 2>err
expect "first run" 0 $?
check "argv passes through" grep -qxF "ARGV=['one', 'two words', '', 'q\"uote']" out
E="$T/cache/$KEY"
check "file extracted" cmp -s libx "$E/site/pkg/libx.so.1"
check "file mode 755" test "$(stat -c %a "$E/site/pkg/libx.so.1")" = 755
check "dir modes 755" test "$(stat -c %a "$E" "$E/site" "$E/site/pkg" | sort -u)" = 755
python3 -c "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile('app.pyz').read('.pyzap/launcher.cfg'))" >cfg.txt
check "entry.cfg is the bundle's launcher.cfg" cmp -s cfg.txt "$E/entry.cfg"
check "entry.cfg mode 644" test "$(stat -c %a "$E/entry.cfg")" = 644
check "no tmp dir or lock left" test "$(ls -a cache | tr '\n' ' ')" = ". .. $KEY $KEY.users "
check "one use record, naming this bundle's real path" test "$(cat cache/$KEY.users/* | cut -f3)" = "$(pwd -P)/app.pyz"
check "use record mode 644" test "$(stat -c %a cache/$KEY.users/*)" = 644
check "PYTHONPATH" grep -qxF "PYTHONPATH=$T/app.pyz/.pyzap/boot:$E/site:$T/app.pyz/site-packages" out
check "PYZAP_ARCHIVE" grep -qxF "PYZAP_ARCHIVE=$T/app.pyz" out
check "PYZAP_ENTRY_DIR" grep -qxF "PYZAP_ENTRY_DIR=$E" out
check "PYZAP_ARGV0" grep -qxF "PYZAP_ARGV0=./app.pyz" out
check "stderr is empty" test ! -s err

before=$(stat -c '%i %Y' "$E" "$E/site/pkg/libx.so.1")
ln -s app.pyz link-to-app
PYZAP_DEBUG=1 PYTHONPATH=/old/path ./link-to-app >out 2>err
expect "warm run" 0 $?
check "warm run does not re-extract" test "$(stat -c '%i %Y' "$E" "$E/site/pkg/libx.so.1")" = "$before"
check "warm run says so" sh -c "! grep -q extracting err"
check "old PYTHONPATH kept last" grep -q "^PYTHONPATH=.*/site-packages:/old/path\$" out
check "argv0 is the symlink" grep -qxF "PYZAP_ARGV0=./link-to-app" out
check "archive is the real path" grep -qxF "PYZAP_ARCHIVE=$T/app.pyz" out
check "debug lines are prefixed" sh -c "! grep -v '^pyzap: debug: ' err"
# The version's one source (launcher-c/Makefile builds it into the marker).
VERSION=$(sed -n 's/^  "version": "\([0-9][^"]*\)",$/\1/p' "$HERE/../../packages/cli/package.json")
check "the version was read" test -n "$VERSION"
check "version marker in binary" grep -q "pyzap-launcher $VERSION linux-" "$LAUNCHER"

# --- four launchers racing on a cold cache: all succeed, one entry ---------
rm -rf cache
pids=""
for i in 1 2 3 4; do ./app.pyz "r$i" >"out$i" 2>"err$i" & pids="$pids $!"; done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
check "racing launchers all succeed" test $fails = 0
check "racing launchers leave one entry" test "$(ls -a cache | tr '\n' ' ')" = ". .. $KEY $KEY.users "
check "racing launchers leave one use record" test "$(ls -A cache/$KEY.users | wc -l)" = 1
check "racing launchers ran the app" grep -qxF "ARGV=['r4']" out4

# --- a stale lock (mtime older than 10 s) is removed -----------------------
rm -rf cache
mkdir -p "cache/$KEY.lock" && touch -d '1 minute ago' "cache/$KEY.lock"
./app.pyz >out 2>err
expect "stale lock" 0 $?
check "stale lock removed, entry made" test -d "cache/$KEY" -a ! -e "cache/$KEY.lock"

# --- interpreter discovery -------------------------------------------------
PYZAP_PYTHON=/nonexistent ./app.pyz >out 2>err
expect "PYZAP_PYTHON=/nonexistent" 127 $?
check "127 message names it" grep -q "^pyzap: PYZAP_PYTHON=/nonexistent .*needs CPython" err
PYZAP_PYTHON=/etc/passwd ./app.pyz >out 2>err
expect "PYZAP_PYTHON not executable" 127 $?
printf '#!/nonexistent-interpreter\n' > notpython && chmod 755 notpython
PYZAP_PYTHON=$T/notpython ./app.pyz >out 2>err
expect "interpreter that cannot run" 127 $?
check "exec failure names it" grep -q "^pyzap: cannot execute $T/notpython" err
$MK "$LAUNCHER" nopy.pyz --python /nonexistent/python3 --pyver 9.99 >/dev/null && chmod 755 nopy.pyz
PATH=/nonexistent ./nopy.pyz >out 2>err
expect "no python anywhere" 127 $?
check "127 lists what was tried" grep -q "tried /nonexistent/python3, python9.99, python3 on PATH.*PYZAP_PYTHON" err
PATH=/usr/bin:/bin ./nopy.pyz >out 2>err
expect "python3 on PATH as last resort" 0 $?

# --- key '-': no cache at all ----------------------------------------------
$MK "$LAUNCHER" pure.pyz >/dev/null && chmod 755 pure.pyz
PYZAP_CACHE=$T/never ./pure.pyz a >out 2>err
expect "pure bundle" 0 $?
check "pure bundle touches no cache" test ! -e "$T/never"
check "pure PYTHONPATH" grep -qxF "PYTHONPATH=$T/pure.pyz/.pyzap/boot:$T/pure.pyz/site-packages" out
check "pure PYZAP_ENTRY_DIR empty" grep -qxF "PYZAP_ENTRY_DIR=" out

# --- corrupt bundles: exit 65, nothing named KEY ---------------------------
rm -rf cache
BADKEY=$($MK "$LAUNCHER" badhash.pyz libx:pkg/libx.so.1:755 --python "$PY" --bad-hash)
chmod 755 badhash.pyz
./badhash.pyz >out 2>err
expect "corrupted hash" 65 $?
check "hash error names the file" grep -q "^pyzap: bundle .*badhash.pyz is corrupt: site-packages/pkg/libx.so.1: .*hash" err
check "no entry, tmp or lock after corrupt" test -z "$(ls -A cache 2>/dev/null)"
$MK "$LAUNCHER" badkey.pyz libx:pkg/libx.so.1:755 --bad-key >/dev/null && chmod 755 badkey.pyz
./badkey.pyz >out 2>err
expect "key mismatch" 65 $?
check "key error is one line" test "$(wc -l < err)" = 1
cp "$LAUNCHER" nozip && chmod 755 nozip
./nozip >out 2>err
expect "launcher without zip" 65 $?
# cut inside the zip only: a cut into the ELF is the kernel's business
zipsize=$(( $(stat -c %s app.pyz) - $(stat -c %s "$LAUNCHER") ))
size=$(stat -c %s app.pyz)
crashed=0
for cut in 1 2 21 22 23 100 1000 $((zipsize / 2)) $((zipsize - 1)) $zipsize; do
	head -c $((size - cut)) app.pyz > trunc.pyz && chmod 755 trunc.pyz
	./trunc.pyz >out 2>err
	rc=$?
	[ $rc = 65 ] || { crashed=1; echo "truncated by $cut: exit $rc"; cat err; }
done
check "truncated bundles exit 65, no crash" test $crashed = 0
mkdir "dir:colon" && cp app.pyz "dir:colon/app.pyz"
"./dir:colon/app.pyz" >out 2>err
expect "bundle path with ':'" 65 $?
chmod 111 app.pyz
if [ "$(id -u)" != 0 ]; then
	./app.pyz >out 2>err
	expect "unreadable bundle" 66 $?
fi
chmod 755 app.pyz

# --- cache root checks -----------------------------------------------------
# PYZAP_CACHE owned by someone else is skipped; the next candidate is used.
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && [ -x /usr/bin/python3 ]; then
	mkdir -p theirs home && chown 65534 home
	chmod 755 theirs
	env -i PATH=/usr/bin:/bin HOME="$T/home" PYZAP_CACHE="$T/theirs" PYZAP_PYTHON=/usr/bin/python3 \
		PYZAP_DEBUG=1 setpriv --reuid 65534 --regid 65534 --clear-groups ./app.pyz >out 2>err
	expect "other user's PYZAP_CACHE (as nobody)" 0 $?
	check "skip reason traced" grep -q "cache root $T/theirs skipped: owned by uid 0" err
	check "fell back to ~/.cache/pyzap" test -f "home/.cache/pyzap/$KEY/site/pkg/libx.so.1"
	check "~/.cache is 0700, pyzap 0755" test "$(stat -c %a home/.cache home/.cache/pyzap)" = "700
755"
	check "nothing in the skipped root" test -z "$(ls -A theirs)"
fi
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	# As root, in a private mount namespace so /var/cache/pyzap is a scratch tmpfs.
	mkdir -p other && chown 65534 other
	unshare -m sh -c "mount -t tmpfs none /var/cache && mkdir -p '$T/noexec' && mount -t tmpfs -o noexec,mode=755 none '$T/noexec' && \
		PYZAP_DEBUG=1 PYZAP_CACHE='$T/other' ./app.pyz >out 2>err && \
		test -f /var/cache/pyzap/$KEY/site/pkg/libx.so.1 && \
		PYZAP_DEBUG=1 PYZAP_CACHE='$T/noexec' ./app.pyz >out2 2>err2 && \
		test -f /var/cache/pyzap/$KEY/site/pkg/libx.so.1"
	expect "root: skipped other-owned and noexec roots" 0 $?
	check "other-owned reason" grep -q "skipped: owned by uid 65534, not by you (uid 0)" err
	check "noexec reason" grep -q "skipped: on a filesystem mounted noexec" err2
	chmod 775 "$T/cache" 2>/dev/null || mkdir -m 775 "$T/cache"
	chmod 775 "$T/cache"
	unshare -m sh -c "mount -t tmpfs none /var/cache && PYZAP_DEBUG=1 ./app.pyz >out 2>err"
	expect "root: group-writable root skipped" 0 $?
	check "group-writable reason" grep -q "skipped: writable by group or others (mode 0775)" err
	# Disk full while extracting: 75, nothing left behind.
	head -c 300000 /dev/urandom > bigfile
	$MK "$LAUNCHER" big.pyz bigfile:big/blob.so:755 --python "$PY" >/dev/null && chmod 755 big.pyz
	unshare -m sh -c "mkdir -p '$T/small' && mount -t tmpfs -o size=128k,mode=755 none '$T/small' && \
		PYZAP_CACHE='$T/small' ./big.pyz >out 2>err; rc=\$?; ls -A '$T/small' >left; exit \$rc"
	expect "disk full" 75 $?
	check "disk full message" grep -q "^pyzap: write .*No space left on device; free some space" err
	check "disk full leaves nothing" test ! -s left
	# Nothing usable at all: exit 73 and a line listing every candidate. The
	# bundle is reached through /mnt/t since /tmp itself is covered.
	unshare -m sh -c "mount -t tmpfs none /mnt && mkdir /mnt/t && mount --bind '$T' /mnt/t && \
		mount -t tmpfs -o ro none /var/cache && mount -t tmpfs -o ro none /var/tmp && \
		mount -t tmpfs -o ro none /tmp && mount -t tmpfs -o ro none /dev/shm && \
		env -u XDG_RUNTIME_DIR PYZAP_CACHE=/mnt/t/other /mnt/t/app.pyz >/mnt/t/out 2>/mnt/t/err"
	expect "no usable cache dir" 73 $?
	check "73 lists candidates" grep -q "^pyzap: no usable cache directory (tried /mnt/t/other (owned by uid 65534.*/var/cache/pyzap (mkdir: Read-only file system).*/dev/shm/pyzap-0 .*set PYZAP_CACHE" err
	check "73 is one line" test "$(wc -l < err)" = 1
fi

echo "smoke: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
