package planfile

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// mdMeta is the "(key: value; ...)" group at the end of a checklist line.
type mdMeta struct {
	set       map[string]bool // the keys the line gives
	after     []string
	softAfter []string
	labels    []string
	priority  string
	phase     string
	estimate  int
}

var mdMetaKeys = []string{"after", "soft_after", "priority", "phase", "estimate", "labels"}

func isMetaKey(k string) bool {
	for _, m := range mdMetaKeys {
		if k == m {
			return true
		}
	}
	return false
}

// normKey lets "Soft-After" and "soft after" mean soft_after.
func normKey(k string) string {
	k = strings.ToLower(strings.TrimSpace(k))
	return strings.NewReplacer("-", "_", " ", "_").Replace(k)
}

// parseItemText splits a checklist item's text into its name and metadata.
func (d doc) parseItemText(line int, text string) (string, mdMeta, error) {
	name, group, err := d.splitMeta(line, strings.TrimSpace(text))
	if err != nil {
		return "", mdMeta{}, err
	}
	if name == "" {
		return "", mdMeta{}, d.errorf(line, "the checklist item has no task name: write \"- [ ] Task name\"")
	}
	if group == "" {
		return name, mdMeta{}, nil
	}
	meta, err := d.parseMeta(line, name, group)
	return name, meta, err
}

// splitMeta finds a trailing parenthesised group that starts with a known
// key. Any other parentheses are part of the name ("Add OAuth (Google)"),
// except that a key one typo away from a known one is reported, because
// silently dropping a dependency would start a task too early.
func (d doc) splitMeta(line int, text string) (name, group string, err error) {
	if !strings.HasSuffix(text, ")") {
		return text, "", nil
	}
	open := matchingOpen(text)
	if open < 0 {
		return text, "", nil
	}
	inner := text[open+1 : len(text)-1]
	first, _, _ := strings.Cut(inner, ";")
	key, _, hasColon := strings.Cut(first, ":")
	if !hasColon {
		return text, "", nil
	}
	k := normKey(key)
	if isMetaKey(k) {
		return strings.TrimSpace(text[:open]), inner, nil
	}
	if near := nearestKey(k); near != "" {
		return "", "", d.errorf(line, "unknown key %q in (%s): did you mean %s? The keys are %s",
			strings.TrimSpace(key), inner, near, strings.Join(mdMetaKeys, ", "))
	}
	return text, "", nil
}

// matchingOpen returns the index of the "(" that the final ")" closes.
func matchingOpen(s string) int {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

func (d doc) parseMeta(line int, name, group string) (mdMeta, error) {
	m := mdMeta{set: map[string]bool{}}
	for _, part := range strings.Split(group, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		key, val, ok := strings.Cut(part, ":")
		k := normKey(key)
		switch {
		case !ok:
			return m, d.errorf(line, "task %q: %q is not \"key: value\": separate keys with \";\" and names with \",\"", name, strings.TrimSpace(part))
		case !isMetaKey(k):
			return m, d.errorf(line, "task %q: unknown key %q: the keys are %s", name, strings.TrimSpace(key), strings.Join(mdMetaKeys, ", "))
		case m.set[k]:
			return m, d.errorf(line, "task %q: %s is given twice: give it once", name, k)
		}
		m.set[k] = true
		if err := d.setMeta(&m, line, name, k, strings.TrimSpace(val)); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (d doc) setMeta(m *mdMeta, line int, name, key, val string) error {
	switch key {
	case "after":
		m.after = splitList(val)
	case "soft_after":
		m.softAfter = splitList(val)
	case "labels":
		m.labels = splitList(val)
	case "priority":
		m.priority = val
	case "phase":
		m.phase = val
	case "estimate":
		mins, err := parseEstimate(val)
		if err != nil {
			return d.errorf(line, "task %q: estimate %q: %s", name, val, err.Error())
		}
		m.estimate = mins
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var (
	errBadEstimate      = errors.New("give whole minutes (90) or a duration like 90m, 2h or 1h30m")
	errNegativeEstimate = errors.New("it is negative: give whole minutes (90) or a duration like 90m, 2h or 1h30m")
)

// parseEstimate reads minutes or a Go duration. A duration that is not a
// whole number of minutes rounds up, so a short task never reads as 0, which
// means unknown.
func parseEstimate(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, errNegativeEstimate
		}
		return n, nil
	}
	dur, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, errBadEstimate
	case dur < 0:
		return 0, errNegativeEstimate
	}
	mins := dur / time.Minute
	if dur%time.Minute != 0 {
		mins++
	}
	return int(mins), nil
}

// nearestKey returns the metadata key k is a likely typo of, or "".
// Short words must be one edit away so that "(base: x)" stays a name.
func nearestKey(k string) string {
	limit := 1
	if len(k) > 5 {
		limit = 2
	}
	for _, m := range mdMetaKeys {
		if editDistance(k, m) <= limit {
			return m
		}
	}
	return ""
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // never near; keeps the table small
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
