package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigLayers(t *testing.T) {
	file := writeFile(t, "config.yaml", "db: /from/file.db\nlease:\n  scale: 0.5\nsqlite:\n  busy_timeout: 9s\n")
	lc, err := loadConfig(file, []string{"MARCUS_LEASE_SCALE=0.25", "MARCUS_TOKEN=s3cret", "UNRELATED=1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lc.applyFlag("db", "/from/flag.db"); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key, want string
		src       Source
	}{
		{"db", "/from/flag.db", FromFlag},
		{"lease.scale", "0.25", FromEnv},
		{"sqlite.busy_timeout", "9s", FromFile},
		{"lease.monitor_interval", "15s", FromDefault},
		{"mcp.token", "********", FromEnv},
	}
	rows := map[string][3]string{}
	for _, r := range lc.rows() {
		rows[r[0]] = r
	}
	for _, c := range checks {
		r := rows[c.key]
		if r[1] != c.want || Source(r[2]) != c.src {
			t.Errorf("%s = %q from %s; want %q from %s", c.key, r[1], r[2], c.want, c.src)
		}
	}
	if lc.MCP.Token != "s3cret" || lc.SQLite.BusyTimeout != 9*time.Second {
		t.Errorf("typed values wrong: %+v", lc.Config)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name, file string
		env        []string
		want       string
	}{
		{"unknown key", "lease:\n  sclae: 2\n", nil, "sclae"},
		{"bad duration env", "", []string{"MARCUS_LEASE_MONITOR_INTERVAL=soon"}, "15s, 2m"},
		{"bad number", "", []string{"MARCUS_LEASE_SCALE=big"}, "not a number"},
		{"out of range", "lease:\n  scale: -1\n", nil, "lease.scale"},
		{"bad synchronous", "sqlite:\n  synchronous: sometimes\n", nil, "NORMAL, FULL"},
		{"bad level", "", []string{"MARCUS_LOG_LEVEL=loud"}, "log.level"},
		{"empty db", "db: \"\"\n", nil, "db is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := ""
			if c.file != "" {
				path = writeFile(t, "c.yaml", c.file)
			}
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			_, err := loadConfig(path, c.env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v; want it to mention %q", err, c.want)
			}
		})
	}
}

func TestConfigMissingFiles(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if _, err := loadConfig("", nil); err != nil {
		t.Fatalf("a missing default file must be fine: %v", err)
	}
	if _, err := loadConfig(filepath.Join(t.TempDir(), "nope.yaml"), nil); err == nil {
		t.Fatal("a missing file named explicitly must be an error")
	}
	empty := writeFile(t, "empty.yaml", "")
	if _, err := loadConfig(empty, nil); err != nil {
		t.Fatalf("an empty file means no settings: %v", err)
	}
}

// TestConfigDocumented keeps docs/configuration.md in step with Config.
func TestConfigDocumented(t *testing.T) {
	doc, err := os.ReadFile("docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	c := defaultConfig()
	for _, s := range settings(&c) {
		if !strings.Contains(string(doc), "`"+s.Key+"`") || !strings.Contains(string(doc), s.Env) {
			t.Errorf("docs/configuration.md does not document %s (%s)", s.Key, s.Env)
		}
	}
}
