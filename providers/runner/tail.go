package runner

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxLine bounds one kept line, in bytes; a longer one is cut.
const maxLine = 1000

// tail keeps an agent's recent output lines in memory, made safe to print
// as they arrive: escape sequences dropped, carriage-return overwrites
// resolved, other control characters removed.
type tail struct {
	mu      sync.Mutex
	lines   []string // ring of at most max lines
	next    int
	max     int
	partial []byte
}

func newTail(max int) *tail { return &tail{max: max} }

// Write takes raw output.
func (t *tail) Write(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.partial = append(t.partial, p...)
			if len(t.partial) > 8*maxLine { // a line without end (a spinner)
				t.partial = t.partial[len(t.partial)-4*maxLine:]
			}
			return
		}
		t.partial = append(t.partial, p[:i]...)
		t.push(Sanitize(string(t.partial)))
		t.partial, p = t.partial[:0], p[i+1:]
	}
}

// Flush keeps a last line that had no newline.
func (t *tail) Flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.partial) > 0 {
		t.push(Sanitize(string(t.partial)))
		t.partial = nil
	}
}

func (t *tail) push(line string) {
	if len(t.lines) < t.max {
		t.lines = append(t.lines, line)
		return
	}
	t.lines[t.next] = line
	t.next = (t.next + 1) % t.max
}

// Last returns up to n of the newest lines, oldest first, including a line
// still being written.
func (t *tail) Last(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	all := append(append([]string{}, t.lines[t.next:]...), t.lines[:t.next]...)
	if p := Sanitize(string(t.partial)); p != "" {
		all = append(all, p)
	}
	if n >= 0 && len(all) > n {
		all = all[len(all)-n:]
	}
	return all
}

// Sanitize makes one line of terminal output safe to print: ANSI escape
// sequences (CSI, OSC, DCS and the rest) are dropped, a carriage return
// keeps only what was written after it (a progress bar's last state),
// backspace erases, tabs become spaces, other control characters and
// invalid UTF-8 are removed, and the line is cut at 1000 bytes.
func Sanitize(line string) string {
	line = strings.TrimRight(line, "\r")
	if i := strings.LastIndexByte(line, '\r'); i >= 0 {
		line = line[i+1:]
	}
	var b []rune
	for i := 0; i < len(line); {
		if line[i] == 0x1b {
			i += escapeLen(line[i:])
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
		case r == '\b':
			if len(b) > 0 {
				b = b[:len(b)-1]
			}
		case r == '\t':
			b = append(b, ' ', ' ', ' ', ' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b = append(b, r)
		}
	}
	return cut(strings.TrimRight(string(b), " "), maxLine)
}

// escapeLen is the length of the escape sequence at the start of s (which
// starts with ESC), or of what there is of it when it is cut off.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates, then a final byte
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_': // strings ended by BEL or ST (ESC \)
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	case '(', ')', '*', '+', '#', '%': // charset selection: one more byte
		return min(3, len(s))
	}
	return 2
}

// cut shortens s to at most n bytes at a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
