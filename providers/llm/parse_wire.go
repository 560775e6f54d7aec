package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"marcus/core"
)

// The wire types read what models actually send: numbers as strings,
// single strings for lists, names alone for features or tasks.

type wireAnalysis struct {
	Name       flexText      `json:"name"`
	Summary    flexText      `json:"summary"`
	Kind       flexText      `json:"kind"`
	Features   []wireFeature `json:"features"`
	Foundation wireTasks     `json:"foundation"`
	Closing    wireTasks     `json:"closing"`
}

func (w wireAnalysis) features() []core.Feature {
	var out []core.Feature
	for _, f := range w.Features {
		name := strings.TrimSpace(string(f.Name))
		if name == "" {
			continue
		}
		out = append(out, core.Feature{
			Name:        name,
			Description: strings.TrimSpace(string(f.Description)),
			Priority:    canonicalPriority(string(f.Priority)),
			Labels:      f.Labels.clean(),
			After:       f.After.clean(),
		})
	}
	return out
}

type wireFeature struct {
	Name        flexText `json:"name"`
	Description flexText `json:"description"`
	Priority    flexText `json:"priority"`
	Labels      flexList `json:"labels"`
	After       flexList `json:"after"`
}

// UnmarshalJSON accepts a feature object or just its name.
func (f *wireFeature) UnmarshalJSON(b []byte) error {
	if s, ok := jsonString(b); ok {
		*f = wireFeature{Name: flexText(s)}
		return nil
	}
	type plain wireFeature
	return json.Unmarshal(b, (*plain)(f))
}

type wireTask struct {
	Name            flexText    `json:"name"`
	Description     flexText    `json:"description"`
	Phase           flexText    `json:"phase"`
	Priority        flexText    `json:"priority"`
	EstimateMinutes flexMinutes `json:"estimate_minutes"`
	Labels          flexList    `json:"labels"`
	Acceptance      flexList    `json:"acceptance"`
	After           flexList    `json:"after"`
	// Names models use instead of the requested ones.
	EstimatedMinutes flexMinutes `json:"estimated_minutes"`
	DependsOn        flexList    `json:"depends_on"`
	Dependencies     flexList    `json:"dependencies"`
}

// UnmarshalJSON accepts a task object or just its name.
func (t *wireTask) UnmarshalJSON(b []byte) error {
	if s, ok := jsonString(b); ok {
		*t = wireTask{Name: flexText(s)}
		return nil
	}
	type plain wireTask
	return json.Unmarshal(b, (*plain)(t))
}

func (t wireTask) task() core.PlanTask {
	est := t.EstimateMinutes
	if est == 0 {
		est = t.EstimatedMinutes
	}
	after := t.After.clean()
	if len(after) == 0 {
		after = append(t.DependsOn.clean(), t.Dependencies.clean()...)
	}
	return core.PlanTask{
		Name:            strings.TrimSpace(string(t.Name)),
		Description:     strings.TrimSpace(string(t.Description)),
		Phase:           canonicalPhase(string(t.Phase)),
		Priority:        canonicalPriority(string(t.Priority)),
		EstimateMinutes: int(est),
		Labels:          t.Labels.clean(),
		Acceptance:      t.Acceptance.clean(),
		After:           after,
	}
}

type wireTasks []wireTask

func (ws wireTasks) tasks() []core.PlanTask {
	var out []core.PlanTask
	for _, w := range ws {
		if t := w.task(); t.Name != "" {
			out = append(out, t)
		}
	}
	return out
}

// canonicalPriority keeps a priority core understands, in its own words,
// and drops any other (the task then gets the default).
func canonicalPriority(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	p, err := core.ParsePriority(s)
	if err != nil {
		return ""
	}
	return p.String()
}

// canonicalPhase does for phases what canonicalPriority does for priorities.
func canonicalPhase(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	p, err := core.ParsePhase(s)
	if err != nil {
		return ""
	}
	return p.String()
}

// jsonString decodes b when it is a JSON string.
func jsonString(b []byte) (string, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return "", false
	}
	return s, true
}

// flexText is a string that also accepts a number, a boolean, null or a
// list of those (joined by "; ").
type flexText string

// UnmarshalJSON implements json.Unmarshaler.
func (t *flexText) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s, ok := scalarText(v)
	if !ok {
		list, isList := v.([]any)
		if !isList {
			return errors.New("expected a string, got an object")
		}
		parts := make([]string, 0, len(list))
		for _, e := range list {
			if es, ok := scalarText(e); ok && es != "" {
				parts = append(parts, es)
			}
		}
		s = strings.Join(parts, "; ")
	}
	*t = flexText(s)
	return nil
}

// scalarText renders a decoded JSON scalar; ok is false for lists and objects.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// flexList is a list of strings that also accepts one string, null, and
// numbers among the strings.
type flexList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *flexList) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case []any:
		out := make(flexList, 0, len(x))
		for _, e := range x {
			if s, ok := scalarText(e); ok {
				out = append(out, s)
			}
		}
		*l = out
		return nil
	case map[string]any:
		return errors.New("expected a list of strings, got an object")
	}
	s, _ := scalarText(v)
	*l = flexList{s}
	return nil
}

// clean trims the entries and drops the empty ones.
func (l flexList) clean() []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// flexMinutes is an estimate in minutes: a number, or a string such as
// "90", "90 minutes", "1.5h" or "2 hours". Anything else counts as unknown (0).
type flexMinutes int

// UnmarshalJSON implements json.Unmarshaler.
func (m *flexMinutes) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case string:
		f = minutesFromText(x)
	}
	*m = flexMinutes(clampMinutes(f))
	return nil
}

func minutesFromText(s string) float64 {
	s = strings.ToLower(strings.TrimSpace(s))
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return 0
	}
	switch strings.TrimSpace(s[end:]) {
	case "", "m", "min", "mins", "minute", "minutes":
		return f
	case "h", "hr", "hrs", "hour", "hours":
		return f * 60
	}
	return 0
}

func clampMinutes(f float64) int {
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	if f > maxEstimateMinutes {
		return maxEstimateMinutes
	}
	return int(math.Round(f))
}
