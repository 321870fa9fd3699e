#!/usr/bin/env bash
# SIP calls per second through a dialplan extension (Answer, Wait(1), Hangup): SIPp on this machine
# places RATE calls/s for DURATION seconds (at most 60) against a fresh switch; prints SIPp's counters
# and the CPU use of the switch and of SIPp. Usage: benches/sip/run_cps.sh RATE [DURATION] [BINARY]
set -euo pipefail
RATE=${1:?calls per second}; DUR=${2:-20}; BIN=${3:-target/release/switchyard}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "$BIN")
[ "$DUR" -le 60 ] || { echo "DURATION is capped at 60 s" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp missing: apt-get install sip-tester" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
WORK=$(mktemp -d)
stop() {
  kill "$SY" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$SY" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SY" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap stop EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/extensions.conf" <<'CONF'
[public]
exten => 2000,1,Answer()
same => n,Wait(1)
same => n,Hangup()
CONF
cat > "$WORK/switchyard.toml" <<CONF
[general]
data_dir = "data"
[dialplan]
asterisk = ["extensions.conf"]
[ami]
enabled = false
[esl]
enabled = false
[core]
max_channels = 100000
[sip]
listen = ["udp:127.0.0.1:$PORT"]
CONF
(cd "$WORK" && exec "$BIN" run --config switchyard.toml > switchyard.out 2>&1) &
SY=$!
for _ in $(seq 100); do grep -q "Stop with" "$WORK/switchyard.out" 2>/dev/null && break; sleep 0.1; done
grep -q "Stop with" "$WORK/switchyard.out" || { echo "switchyard did not start:"; cat "$WORK/switchyard.out"; exit 1; }
cd "$WORK"
sipp "127.0.0.1:$PORT" -sf "$HERE/uac_srv_bye.xml" -s 2000 -i 127.0.0.1 -p $((PORT + 1)) -r "$RATE" \
  -m $((RATE * DUR)) -l 100000 -buff_size 4194304 -timeout $((DUR + 20))s -timeout_error -nostdin \
  -trace_stat -fd 1 -stf stat.csv -trace_err > /dev/null 2>&1 &
SP=$!
CPU=$(python3 "$HERE/cpu.py" $((DUR + 20)) switchyard="$SY" sipp="$SP")
wait "$SP" && OK=0 || OK=$?
python3 - stat.csv "$RATE" "$OK" "$CPU" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
h, last = rows[0], rows[-1]
get = lambda k: last[h.index(k)] if k in h else "?"
print(f"rate={sys.argv[2]}/s created={get('TotalCallCreated')} ok={get('SuccessfulCall(C)')} "
      f"failed={get('FailedCall(C)')} retrans={get('Retransmissions(C)')} elapsed={get('ElapsedTime(C)')} "
      f"sipp_exit={sys.argv[3]} | {sys.argv[4]}")
PY
