package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/glamour/v2"
	gansi "charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	"github.com/charmbracelet/x/ansi"

	"marcus/core"
)

// markdown renders the description with glamour, cached per task, width
// and text; plain wrapped text when glamour fails.
func (d *detailView) markdown(t core.Task, w int) []string {
	key := string(t.ID) + "\x00" + strconv.Itoa(w) + "\x00" + t.Description
	if d.md.key == key {
		return d.md.lines
	}
	lines, err := renderMarkdown(t.Description, w, d.env.noColor)
	if err != nil {
		lines = wrapIndent(t.Description, w, "  ")
	}
	d.md = mdCache{key: key, lines: lines}
	return lines
}

func renderMarkdown(text string, w int, noColor bool) (lines []string, err error) {
	defer func() {
		// A renderer bug must cost the formatting, not the dashboard.
		if r := recover(); r != nil {
			lines, err = nil, fmt.Errorf("markdown: %v", r)
		}
	}()
	style := glamour.WithStandardStyle(styles.DarkStyle)
	if noColor {
		style = glamour.WithStyles(plainMarkdownStyle())
	}
	r, err := glamour.NewTermRenderer(style, glamour.WithWordWrap(max(10, w)))
	if err != nil {
		return nil, err
	}
	out, err := r.Render(text)
	if err != nil {
		return nil, err
	}
	lines = strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[0])) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines, nil
}

// plainMarkdownStyle is glamour's dark style without a color: headings,
// emphasis and lists keep their shape, and the text reads on any terminal.
func plainMarkdownStyle() gansi.StyleConfig {
	bold, italic, margin := true, true, uint(2)
	quote := "│ "
	indent := uint(1)
	return gansi.StyleConfig{
		Document:       gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{BlockPrefix: "\n", BlockSuffix: "\n"}, Margin: &margin},
		BlockQuote:     gansi.StyleBlock{Indent: &indent, IndentToken: &quote},
		List:           gansi.StyleList{LevelIndent: 2},
		Heading:        gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{BlockSuffix: "\n", Bold: &bold}},
		H1:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "# "}},
		H2:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "## "}},
		H3:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "### "}},
		H4:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "#### "}},
		H5:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "##### "}},
		H6:             gansi.StyleBlock{StylePrimitive: gansi.StylePrimitive{Prefix: "###### "}},
		Emph:           gansi.StylePrimitive{Italic: &italic},
		Strong:         gansi.StylePrimitive{Bold: &bold},
		HorizontalRule: gansi.StylePrimitive{Format: "\n--------\n"},
		Item:           gansi.StylePrimitive{BlockPrefix: "• "},
		Enumeration:    gansi.StylePrimitive{BlockPrefix: ". "},
		Task:           gansi.StyleTask{Ticked: "[✓] ", Unticked: "[ ] "},
		LinkText:       gansi.StylePrimitive{Bold: &bold},
		ImageText:      gansi.StylePrimitive{Format: "Image: {{.text}} →"},
		CodeBlock:      gansi.StyleCodeBlock{StyleBlock: gansi.StyleBlock{Margin: &margin}},
		Table:          gansi.StyleTable{},
	}
}

// wrapIndent wraps text to w cells, each line starting with indent.
func wrapIndent(text string, w int, indent string) []string {
	width := max(1, w-len(indent))
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		for _, l := range strings.Split(ansi.Wrap(strings.TrimRight(para, " \r"), width, ""), "\n") {
			out = append(out, indent+l)
		}
	}
	return out
}

// detailOr is s, or alt when s is blank.
func detailOr(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}
