#!/usr/bin/env bash
# The shaded jar, not the test classpath, serving HTTPS: BouncyCastle's jars are signed, and a
# shaded copy is not, so what works in the tests can still fail in target/cdp-access.jar. Starts
# `java -jar target/cdp-access.jar serve` twice, with an encrypted PEM key (BouncyCastle's
# decryption) and with tls.self_signed (its certificate builder), and checks each with openssl
# s_client verifying the certificate and that it names 127.0.0.1, as REDCap's cURL checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
jar="$PWD/target/cdp-access.jar"
work="$(mktemp -d)"
server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
# A fresh secret from the jar itself: config validate and serve refuse weak ones.
secret="$(java -jar "$jar" config new-secret | sed -n 's/^secret: //p')"
[ -n "$secret" ] || { echo "jar-tls-smoke: config new-secret printed no secret"; exit 1; }

# Starts serve with config $1 in $work and sets $port (and $server, its pid).
serve() {
  (cd "$work" && CDP_SMOKE_KEY_PASSWORD=smoke-pass exec java -jar "$jar" serve --config "$1" >"$work/out" 2>"$work/err") &
  server=$!
  port=""
  for _ in $(seq 1 120); do
    port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/out" | head -1)"
    [ -n "$port" ] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "jar-tls-smoke: serve --config $1 did not start:"; cat "$work/out" "$work/err"; exit 1
}

# POSTs an empty user-access request (REDCap's Test button) over verified TLS; expects 200 "0".
check() {
  local ca="$1" answer
  answer="$(printf 'POST /user-access?secret=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' "$secret" \
    | openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$ca" -verify_ip 127.0.0.1 -verify_return_error 2>/dev/null || true)"
  if ! grep -q '^HTTP/1.1 200' <<<"$answer"; then
    echo "jar-tls-smoke: no verified HTTPS answer from the jar ($2):"; echo "$answer"; cat "$work/err"; exit 1
  fi
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "jar-tls-smoke: $2: OK"
}

config() {
  cat <<YAML
listen: 127.0.0.1:0
data_dir: ./data-$1
instances:
  - name: prod
    redcap_url: https://redcap.example.edu/
    secret: $secret
YAML
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/plain.pem" \
  -out "$work/cert.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
PW=smoke-pass openssl pkcs8 -topk8 -v2 aes-256-cbc -passout env:PW -in "$work/plain.pem" -out "$work/key.pem"
chmod 600 "$work/key.pem"
{ config pem; printf 'tls:\n  certificate: cert.pem\n  private_key: key.pem\n  private_key_password: ${CDP_SMOKE_KEY_PASSWORD}\n'; } >"$work/pem.yaml"
{ config self; printf 'tls:\n  self_signed: {hosts: [127.0.0.1]}\n'; } >"$work/self.yaml"
chmod 600 "$work"/*.yaml

serve pem.yaml
check "$work/cert.pem" "encrypted PKCS#8 PEM key"
serve self.yaml
check "$work/data-self/tls/self-signed-certificate.pem" "tls.self_signed"
echo "jar-tls-smoke: 2 passed, 0 failed"
