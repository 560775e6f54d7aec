package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"marcus/providers/runner"
	"marcus/providers/trello"
)

// Config is marcus's one configuration: the file, then MARCUS_* environment
// variables, then flags, each overriding the one before. Every key is
// documented in docs/configuration.md; a test keeps the two in step.
type Config struct {
	DB     string       `yaml:"db"`
	Lease  LeaseConfig  `yaml:"lease"`
	SQLite SQLiteConfig `yaml:"sqlite"`
	MCP    MCPConfig    `yaml:"mcp"`
	LLM    LLMConfig    `yaml:"llm"`
	Trello TrelloConfig `yaml:"trello"`
	Log    LogConfig    `yaml:"log"`
	Runner RunnerConfig `yaml:"runner"`
	// Agents are agent profiles for marcus run, by name: one here replaces
	// the built-in profile of its name or adds one (docs/runner.md).
	Agents map[string]runner.Profile `yaml:"agents"`
}

// RunnerConfig says where marcus run keeps its files: the tasks'
// worktrees, the agents' folders (prompt, MCP config, log, pid record)
// and the reuse-mode agents' starting folders.
type RunnerConfig struct {
	Dir string `yaml:"dir"`
}

// TrelloConfig holds the Trello credentials and the sync pace.
type TrelloConfig struct {
	APIKey   string        `yaml:"api_key" secret:"true"`
	Token    string        `yaml:"token" secret:"true"`
	BaseURL  string        `yaml:"base_url"`
	Interval time.Duration `yaml:"interval"`
	RetryFor time.Duration `yaml:"retry_for"`
}

// LLMConfig chooses and tunes the planner that turns descriptions into
// tasks. The default, offline, needs no key and no network.
type LLMConfig struct {
	Provider        string        `yaml:"provider"`
	Model           string        `yaml:"model"`
	BaseURL         string        `yaml:"base_url"`
	AnthropicAPIKey string        `yaml:"anthropic_api_key" secret:"true"`
	OpenAIAPIKey    string        `yaml:"openai_api_key" secret:"true"`
	Timeout         time.Duration `yaml:"timeout"`
	MaxRetries      int           `yaml:"max_retries"`
	MaxTokens       int           `yaml:"max_tokens"`
	Concurrency     int           `yaml:"concurrency"`
	InputPrice      float64       `yaml:"input_price"`
	OutputPrice     float64       `yaml:"output_price"`
}

// LeaseConfig tunes lease recovery.
type LeaseConfig struct {
	MonitorInterval time.Duration `yaml:"monitor_interval"`
	Scale           float64       `yaml:"scale"`
}

// SQLiteConfig tunes the embedded store.
type SQLiteConfig struct {
	BusyTimeout time.Duration `yaml:"busy_timeout"`
	Synchronous string        `yaml:"synchronous"`
}

// MCPConfig configures the agent-facing server.
type MCPConfig struct {
	Addr  string `yaml:"addr"`
	Token string `yaml:"token" secret:"true"`
}

// LogConfig says where logs go; never to the terminal, which the dashboard
// and the stdio MCP server own.
type LogConfig struct {
	File  string `yaml:"file"`
	Level string `yaml:"level"`
}

// defaultConfig is the embedded default: everything works without a file.
func defaultConfig() Config {
	return Config{
		DB:     filepath.Join(dataDir(), "marcus.db"),
		Lease:  LeaseConfig{MonitorInterval: 15 * time.Second, Scale: 1},
		SQLite: SQLiteConfig{BusyTimeout: 5 * time.Second, Synchronous: "NORMAL"},
		MCP:    MCPConfig{Addr: "127.0.0.1:4298"},
		Trello: TrelloConfig{Interval: 5 * time.Second, RetryFor: trello.DefaultRetryFor},
		LLM:    LLMConfig{Provider: "offline", Timeout: 90 * time.Second, MaxRetries: 3, MaxTokens: 8192, Concurrency: 8},
		Log:    LogConfig{File: filepath.Join(stateDir(), "marcus.log"), Level: "info"},
		Runner: RunnerConfig{Dir: filepath.Join(stateDir(), "runner")},
	}
}

// dataDir is where the database lives: $XDG_DATA_HOME/marcus or
// ~/.local/share/marcus (the user's data directory).
func dataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "marcus")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "marcus")
	}
	return filepath.Join(os.TempDir(), "marcus")
}

// stateDir is where logs go: $XDG_STATE_HOME/marcus or ~/.local/state/marcus.
func stateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "marcus")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "marcus")
	}
	return filepath.Join(os.TempDir(), "marcus")
}

// defaultConfigPath is $XDG_CONFIG_HOME/marcus/config.yaml or the
// platform's user config directory.
func defaultConfigPath() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "marcus", "config.yaml")
	}
	return ""
}

// Source says where a setting's value came from.
type Source string

// Sources, weakest first.
const (
	FromDefault Source = "default"
	FromFile    Source = "file"
	FromEnv     Source = "env"
	FromFlag    Source = "flag"
)

// setting is one leaf of Config, addressed by its dotted key.
type setting struct {
	Key    string
	Env    string
	Secret bool
	field  reflect.Value
}

// settings lists every leaf of c, in declaration order.
func settings(c *Config) []setting {
	var out []setting
	walk(reflect.ValueOf(c).Elem(), "", &out)
	return out
}

func walk(v reflect.Value, prefix string, out *[]setting) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		key := prefix + f.Tag.Get("yaml")
		if f.Type.Kind() == reflect.Struct {
			walk(v.Field(i), key+".", out)
			continue
		}
		*out = append(*out, setting{Key: key, Env: envName(key), Secret: f.Tag.Get("secret") == "true", field: v.Field(i)})
	}
}

// envNames lists every environment variable that sets key, aliases first.
func envNames(key string) string {
	var names []string
	for alias, k := range envAliases {
		if k == key {
			names = append(names, alias)
		}
	}
	sort.Strings(names)
	return strings.Join(append(names, envName(key)), " or ")
}

func envName(key string) string {
	return "MARCUS_" + strings.ToUpper(strings.NewReplacer(".", "_").Replace(key))
}

// envAliases are extra environment names for keys, kept for the names the
// issues and Marcus users know.
// CLAUDE_API_KEY (not ANTHROPIC_API_KEY, as in Marcus): an agent running on
// a subscription, with ANTHROPIC_API_KEY in its environment, is never billed
// by accident.
var envAliases = map[string]string{
	"MARCUS_TOKEN":   "mcp.token",
	"CLAUDE_API_KEY": "llm.anthropic_api_key",
	"OPENAI_API_KEY": "llm.openai_api_key",
	"TRELLO_API_KEY": "trello.api_key",
	"TRELLO_TOKEN":   "trello.token",
}

// set parses text into the setting's type.
func (s setting) set(text string) error {
	switch s.field.Kind() {
	case reflect.String:
		s.field.SetString(text)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", s.Key, text)
		}
		s.field.SetInt(int64(n))
	case reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", s.Key, text)
		}
		s.field.SetFloat(f)
	case reflect.Int64: // time.Duration
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%s: %q is not a duration: write it like 15s, 2m or 1h30m", s.Key, text)
		}
		s.field.SetInt(int64(d))
	case reflect.Map:
		return fmt.Errorf("%s: set it in the configuration file, not by environment or flag", s.Key)
	default:
		return fmt.Errorf("%s: unsupported setting type %s", s.Key, s.field.Kind())
	}
	return nil
}

// String renders the value as the file would hold it.
func (s setting) String() string {
	switch s.field.Kind() {
	case reflect.Int64:
		return time.Duration(s.field.Int()).String()
	case reflect.Map: // agent profiles: their names
		var names []string
		for _, k := range s.field.MapKeys() {
			names = append(names, k.String())
		}
		sort.Strings(names)
		return strings.Join(names, ", ")
	}
	return fmt.Sprint(s.field.Interface())
}

// loadedConfig is a Config with where each value came from.
type loadedConfig struct {
	Config
	File    string // the file read, or "" when none
	Sources map[string]Source
}

// loadConfig builds the configuration: defaults, then the file (path "" means
// the default location, which may be missing), then the environment. Flags
// are applied by the caller with applyFlag.
func loadConfig(path string, env []string) (*loadedConfig, error) {
	lc := &loadedConfig{Config: defaultConfig(), Sources: map[string]Source{}}
	for _, s := range settings(&lc.Config) {
		lc.Sources[s.Key] = FromDefault
	}
	explicit := path != ""
	if !explicit {
		path = defaultConfigPath()
	}
	if err := lc.readFile(path, explicit); err != nil {
		return nil, err
	}
	if err := lc.readEnv(env); err != nil {
		return nil, err
	}
	return lc, lc.validate()
}

func (lc *loadedConfig) readFile(path string, explicit bool) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	before := lc.Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&lc.Config); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %v (the keys are listed in docs/configuration.md; `marcus config` shows them)", path, err)
	}
	lc.File = path
	lc.markChanged(before, FromFile)
	return nil
}

// markChanged records src for every setting that differs from before.
func (lc *loadedConfig) markChanged(before Config, src Source) {
	old := settings(&before)
	for i, s := range settings(&lc.Config) {
		if !reflect.DeepEqual(s.field.Interface(), old[i].field.Interface()) {
			lc.Sources[s.Key] = src
		}
	}
}

func (lc *loadedConfig) readEnv(env []string) error {
	byEnv := map[string]setting{}
	for _, s := range settings(&lc.Config) {
		byEnv[s.Env] = s
	}
	for alias, key := range envAliases {
		for _, s := range settings(&lc.Config) {
			if s.Key == key {
				byEnv[alias] = s
			}
		}
	}
	for _, kv := range env {
		name, val, _ := strings.Cut(kv, "=")
		s, ok := byEnv[name]
		if !ok {
			continue
		}
		if err := s.set(val); err != nil {
			return fmt.Errorf("environment variable %s: %v", name, err)
		}
		lc.Sources[s.Key] = FromEnv
	}
	return nil
}

// applyFlag sets key from a command-line flag.
func (lc *loadedConfig) applyFlag(key, val string) error {
	for _, s := range settings(&lc.Config) {
		if s.Key == key {
			if err := s.set(val); err != nil {
				return fmt.Errorf("flag: %v", err)
			}
			lc.Sources[key] = FromFlag
			return lc.validate()
		}
	}
	return fmt.Errorf("unknown setting %q", key)
}

func (lc *loadedConfig) validate() error {
	c := lc.Config
	if err := checkProfiles(c.Agents); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(c.DB) == "":
		return errors.New("db is empty: set it to a database file path, or remove it to use the default")
	case c.Lease.MonitorInterval < 100*time.Millisecond:
		return fmt.Errorf("lease.monitor_interval %s is too short: use 100ms or more (default 15s)", c.Lease.MonitorInterval)
	case c.Lease.Scale <= 0 || c.Lease.Scale > 1000:
		return fmt.Errorf("lease.scale %g is out of range: use a factor above 0 (1 = Marcus's lease lengths)", c.Lease.Scale)
	case c.SQLite.BusyTimeout < 0:
		return errors.New("sqlite.busy_timeout is negative")
	}
	switch strings.ToUpper(c.SQLite.Synchronous) {
	case "NORMAL", "FULL", "EXTRA":
	default:
		return fmt.Errorf("sqlite.synchronous %q: use NORMAL, FULL or EXTRA", c.SQLite.Synchronous)
	}
	switch strings.ToLower(strings.TrimSpace(c.LLM.Provider)) {
	case "offline", "anthropic", "openai":
	default:
		return fmt.Errorf("llm.provider %q: use offline (the default: no key, no network), anthropic or openai", c.LLM.Provider)
	}
	switch {
	case c.LLM.Timeout < time.Second:
		return fmt.Errorf("llm.timeout %s is too short: use 1s or more (default 90s)", c.LLM.Timeout)
	case c.LLM.MaxRetries < 0 || c.LLM.MaxRetries > 10:
		return fmt.Errorf("llm.max_retries %d: use 0 to 10 (default 3)", c.LLM.MaxRetries)
	case c.LLM.MaxTokens < 256:
		return fmt.Errorf("llm.max_tokens %d is too small: use 256 or more (default 8192)", c.LLM.MaxTokens)
	case c.LLM.Concurrency < 1 || c.LLM.Concurrency > 64:
		return fmt.Errorf("llm.concurrency %d: use 1 to 64 (default 8)", c.LLM.Concurrency)
	case c.Trello.Interval < time.Second:
		return fmt.Errorf("trello.interval %s is too short: use 1s or more (default 5s)", c.Trello.Interval)
	case c.Trello.RetryFor < 0 || c.Trello.RetryFor > time.Hour:
		return fmt.Errorf("trello.retry_for %s: use 0 (fail at the first failure) to 1h (default 1m)", c.Trello.RetryFor)
	case c.LLM.InputPrice < 0 || c.LLM.OutputPrice < 0:
		return errors.New("llm.input_price and llm.output_price are dollars per million tokens: use 0 or more")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level %q: use debug, info, warn or error", c.Log.Level)
	}
	return nil
}

// rows renders the effective configuration, secrets masked, sorted by key.
func (lc *loadedConfig) rows() [][3]string {
	var out [][3]string
	for _, s := range settings(&lc.Config) {
		v := s.String()
		if s.Secret && v != "" {
			v = "********"
		}
		out = append(out, [3]string{s.Key, v, string(lc.Sources[s.Key])})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// checkProfiles checks the agent profiles of the configuration file, so a
// mistake is found when marcus starts, not when an agent would.
func checkProfiles(ps map[string]runner.Profile) error {
	for name := range ps {
		if _, err := runner.Lookup(name, ps); err != nil {
			return fmt.Errorf("agents.%s: %v", name, err)
		}
	}
	return nil
}
