#!/usr/bin/env bash
# Runs one example against a fresh in-tree test server:
#   run_example.sh <qdb-test-server> <example executable> <example name>
# The server gets the options the example needs (TLS + Basic auth, ILP/TCP with an ECDSA
# key generated here); every other example gets a plain server and `ws::addr=...;`.
set -euo pipefail
server_bin=$1
example_bin=$2
name=$3

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# hex on stdin -> base64url without padding
b64url() {
    local hex
    hex=$(cat)
    # shellcheck disable=SC2059  # the format is the data: \xHH escapes
    printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

server_args=(--port 0)
case "$name" in
    auth_tls)
        server_args+=(--tls --auth admin:quest)
        ;;
    ilp_tcp_ecdsa)
        # A throw-away P-256 key: d, x and y in base64url, as QuestDB's auth.txt holds them.
        openssl ecparam -name prime256v1 -genkey -noout -out "$work/key.pem" 2>/dev/null
        dump=$(openssl ec -in "$work/key.pem" -text -noout 2>/dev/null)
        priv=$(awk '/^priv:/{f=1;next}/^pub:/{f=0}f' <<<"$dump" | tr -d ' :\n')
        pub=$(awk '/^pub:/{f=1;next}/^ASN1|^NIST/{f=0}f' <<<"$dump" | tr -d ' :\n')
        priv=$(printf '%064s' "${priv: -64}" | tr ' ' 0)
        key_d=$(b64url <<<"$priv")
        key_x=$(b64url <<<"${pub:2:64}")
        key_y=$(b64url <<<"${pub:66:64}")
        server_args+=(--ilp-tcp-port 0 --ilp-key "example_user:$key_x:$key_y")
        ;;
esac

: >"$work/server.out"
"$server_bin" "${server_args[@]}" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
# Wait (bounded) for the server's "ready" line.
for _ in $(seq 1 200); do
    grep -q '^ready' "$work/server.out" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.05
done
grep -q '^ready' "$work/server.out" || { echo "test server did not start" >&2; exit 1; }
port=$(sed -n 's/^http=//p' "$work/server.out")
addr="127.0.0.1:$port"

args=("ws::addr=$addr;")
case "$name" in
    auth_tls)
        cert=$(sed -n 's/^tls_cert=//p' "$work/server.out")
        args=("wss::addr=$addr;username=admin;password=quest;tls_roots=$cert;")
        ;;
    ilp_http)
        args=("http::addr=$addr;")
        ;;
    ilp_tcp_ecdsa)
        ilp_port=$(sed -n 's/^ilp_tcp=//p' "$work/server.out")
        args=("tcp::addr=127.0.0.1:$ilp_port;username=example_user;token=$key_d;token_x=$key_x;token_y=$key_y;"
              "ws::addr=$addr;")
        ;;
    store_and_forward)
        args+=("$work/sf")
        ;;
    trades_demo)
        args+=(100000)  # the demo's million rows are for scripts/demo.sh
        ;;
esac

echo "+ $example_bin ${args[*]//token=*/token=[redacted]}"
QDB_CLIENT_CONF= "$example_bin" "${args[@]}"
