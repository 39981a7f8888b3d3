#!/bin/sh
# run.sh FUZZDIR SECONDS - run the libFuzzer harnesses for SECONDS in total
# (1/2 on the zip reader, 1/4 on the cfg parser, 1/4 on extraction of
# valid-key bundles made on the fly), growing the corpus kept in
# FUZZDIR/corpus-*; crashes land in FUZZDIR/artifacts/. Exits non-zero on
# any crash, leak or sanitizer report. Prints "fuzz: NAME: N executions".
set -eu
DIR=$1
SECONDS_TOTAL=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR/corpus-zip" "$DIR/corpus-cfg" "$DIR/corpus-extract" "$DIR/seeds-zip" "$DIR/seeds-cfg" \
	"$DIR/seeds-extract" "$DIR/artifacts"
python3 "$HERE/seeds.py" "$DIR/seeds-zip" "$DIR/seeds-cfg"
run() { # run NAME SECONDS MAXLEN
	log="$DIR/$1.log"
	if ! "$DIR/fuzz_$1" -max_total_time="$2" -max_len="$3" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$DIR/artifacts/$1-" \
		"$DIR/corpus-$1" "$DIR/seeds-$1" >"$log" 2>&1; then
		tail -n 60 "$log"
		echo "fuzz: $1: FAILED (log $log, inputs in $DIR/artifacts/)"
		exit 1
	fi
	# The final stats line; libFuzzer's last "#N" status line if it is missing.
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(grep -ao '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
	cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -n 1)
	echo "fuzz: $1: $execs executions, $cov, no crash"
}
run zip $((SECONDS_TOTAL / 2)) 16384
run cfg $((SECONDS_TOTAL / 4)) 16384
run extract $((SECONDS_TOTAL - SECONDS_TOTAL / 2 - SECONDS_TOTAL / 4)) 4096
