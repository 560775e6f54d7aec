# The four agent CLIs the runner has profiles for, from the npm registry,
# cached under $cache/agents. They cannot reach their models here: the
# tests check each profile's flags against the CLI's --help, that the MCP
# configuration each profile writes reaches a real marcus, and drive the
# real Claude Code through a task with a scripted stand-in of its model.
# Sourced by .ci/run (cache is set there).
agent_clis="@anthropic-ai/claude-code@2.1.328 @openai/codex@0.171.0 @google/gemini-cli@0.61.0 opencode-ai@1.18.33"
agents_dir="$cache/agents"
if [ "$(cat "$agents_dir/.installed" 2>/dev/null)" != "$agent_clis" ]; then
  # shellcheck disable=SC2086
  npm install --silent --no-audit --no-fund --prefix "$agents_dir" $agent_clis
  echo "$agent_clis" > "$agents_dir/.installed"
fi
for cli in claude codex gemini opencode; do
  bin="$agents_dir/node_modules/.bin/$cli"
  printf '%s: %s\n' "$cli" "$("$bin" --version 2>&1 | tail -1)"
done
export MARCUS_TEST_CLAUDE="$agents_dir/node_modules/.bin/claude"
export MARCUS_TEST_CODEX="$agents_dir/node_modules/.bin/codex"
export MARCUS_TEST_GEMINI="$agents_dir/node_modules/.bin/gemini"
export MARCUS_TEST_OPENCODE="$agents_dir/node_modules/.bin/opencode"
