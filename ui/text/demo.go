package text

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"marcus/core"
)

// Feed keeps the latest agent moves for the demo's activity lines; agents
// add to it while the frame is drawn, so it is safe for concurrent use.
type Feed struct {
	mu    sync.Mutex
	lines []string
	size  int
}

// NewFeed keeps the latest size moves.
func NewFeed(size int) *Feed { return &Feed{size: size} }

// Add records one agent's move; progress reports and registrations are
// left out, as too many to read.
func (f *Feed) Add(at time.Time, agent, kind, detail string) {
	if kind == "progress" || kind == "registered" {
		return
	}
	line := fmt.Sprintf("%s %-9s %-10s %s", at.Format("15:04:05"), agent, kind, Truncate(detail, 70))
	f.mu.Lock()
	f.lines = append(f.lines, line)
	if len(f.lines) > f.size {
		f.lines = f.lines[len(f.lines)-f.size:]
	}
	f.mu.Unlock()
}

func (f *Feed) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lines) == 0 {
		return "  (agents are registering)\n"
	}
	return "  " + strings.Join(f.lines, "\n  ") + "\n"
}

// DemoFrame writes one frame of the text demo: header, the board (eight
// cards a column) and the feed; clear first clears a terminal's screen.
func DemoFrame(w io.Writer, header string, b core.Board, feed *Feed, clear bool) error {
	var sb strings.Builder
	if clear {
		sb.WriteString("\x1b[H\x1b[2J")
	}
	sb.WriteString(header)
	if err := Board(&sb, b, BoardOptions{Limit: 8}); err != nil {
		return err
	}
	sb.WriteString("\nActivity\n" + feed.String())
	_, err := fmt.Fprint(w, sb.String())
	return err
}

// DemoSummary writes how the text demo ended; keptDB, when not empty, is
// the database file kept for a look afterwards.
func DemoSummary(w io.Writer, wall time.Duration, completed, blocked, died int, keptDB string) error {
	fmt.Fprintf(w, "\ndone in %s: %d tasks completed, %d blocked for a person, %d agent(s) died and their tasks were recovered\n",
		wall.Round(time.Second), completed, blocked, died)
	if keptDB != "" {
		fmt.Fprintf(w, "database kept: marcus board --db %s\n", keptDB)
	}
	return nil
}
