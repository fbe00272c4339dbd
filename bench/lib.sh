# Shared by the bench scripts (sourced, not run): the one-instance configuration they serve, and
# stopping the server a script started. Callers set $server and $work.

# Writes DIR/cdp-access.yaml for one instance "prod" with SECRET, owner-only: the service refuses
# a configuration holding a plain secret that others can read.
bench_config() {
  local dir=$1 secret=$2
  (umask 077 && cat > "$dir/cdp-access.yaml" <<YAML
listen: 127.0.0.1:0
data_dir: ./data
instances:
  - name: prod
    redcap_url: https://redcap.example.edu/
    secret: $secret
YAML
  )
}

# Stops $server if one runs and removes $work; safe to call twice (the EXIT trap calls it too).
bench_cleanup() {
  if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
  server=
  work=
}
