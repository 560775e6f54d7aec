// Package planfile reads plan files — YAML, JSON or a Markdown checklist —
// into a core.Plan that core.ImportPlan turns into a project.
//
// The parser checks what only the file can tell: its syntax, its keys, that
// every task has a name, and the values of priority, phase and estimate, each
// with the line to fix. Whether dependencies name existing tasks, whether they
// form a cycle, whether names repeat and whether fields are too long is
// core's job on import, so those rules live in one place.
package planfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"marcus/core"
)

// MaxFileSize is the largest plan file accepted. Real plans are kilobytes;
// 16 MiB leaves room for tens of thousands of described tasks, while a
// bigger file is a mistake (a log, a dump) that would only cost memory: a
// YAML file this size already takes about a gigabyte to parse.
const MaxFileSize = 16 << 20

// Format is a plan file syntax.
type Format string

// The formats Parse understands.
const (
	FormatYAML     Format = "yaml"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
)

// ReadFile reads the plan file at path and parses it with Parse.
func ReadFile(path string) (core.Plan, error) {
	data, err := readLimited(path)
	if err != nil {
		return core.Plan{}, err
	}
	return Parse(path, data)
}

func readLimited(path string) ([]byte, error) {
	info, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return nil, core.Errorf(core.ErrInvalid, "plan file %s does not exist: check the path", path)
	case err != nil:
		return nil, core.Wrap(core.ErrInvalid, err, "cannot read plan file %s", path)
	case info.IsDir():
		return nil, core.Errorf(core.ErrInvalid, "%s is a directory: give the path of a plan file (.yaml, .json or .md)", path)
	case info.Size() > MaxFileSize:
		return nil, tooBig(path, info.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, core.Wrap(core.ErrInvalid, err, "cannot open plan file %s", path)
	}
	defer f.Close()
	// Read one byte past the limit: the file may have grown since Stat, or be
	// a pipe or device whose size Stat cannot tell.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, core.Wrap(core.ErrInvalid, err, "cannot read plan file %s", path)
	}
	if len(data) > MaxFileSize {
		return nil, tooBig(path, int64(len(data)))
	}
	return data, nil
}

func tooBig(name string, size int64) error {
	return core.Errorf(core.ErrInvalid,
		"plan file %s is too large (%d bytes; at most %d MiB): split the plan or remove what is not a plan",
		name, size, MaxFileSize>>20)
}

// Parse reads a plan from data. The extension of filename chooses the format
// (.yaml/.yml, .json, .md/.markdown); with another extension or none (such as
// "-" for standard input) the content decides: a leading "{" is JSON, a
// Markdown checklist line ("- [ ] ...") is Markdown, anything else is YAML.
// filename also names the file in error messages and gives the plan its
// name when the file does not.
//
// Every error is a *core.Error with code core.ErrInvalid whose message names
// the file and, where it can, the line, and says what to change.
func Parse(filename string, data []byte) (core.Plan, error) {
	d := newDoc(filename, data)
	if err := d.checkBytes(); err != nil {
		return core.Plan{}, err
	}
	d.fmt, d.sniffed = d.format()
	var (
		plan core.Plan
		pos  []taskPos
		err  error
	)
	switch d.fmt {
	case FormatJSON:
		plan, pos, err = parseJSON(d)
	case FormatMarkdown:
		plan, pos, err = parseMarkdown(d)
	default:
		plan, pos, err = parseYAML(d)
	}
	if err != nil {
		return core.Plan{}, err
	}
	if err := d.finish(&plan, pos); err != nil {
		return core.Plan{}, err
	}
	return plan, nil
}

// FormatOf reports the format Parse would use for filename and data.
func FormatOf(filename string, data []byte) Format {
	f, _ := newDoc(filename, data).format()
	return f
}

// doc is one input being parsed: the name to show in messages, the name as
// given (for the default plan name) and the bytes without a byte-order mark.
type doc struct {
	file string
	name string
	data []byte
	fmt  Format
	// sniffed: the format was guessed from the content, so a message about
	// the wrong shape may mention the other formats.
	sniffed bool
}

func newDoc(filename string, data []byte) doc {
	name := filename
	switch filename {
	case "":
		name = "plan"
	case "-":
		name = "<stdin>"
	}
	// Editors on Windows add a BOM; encoding/json rejects it and it is never
	// part of the plan.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return doc{file: filename, name: name, data: data}
}

func (d doc) checkBytes() error {
	if len(d.data) > MaxFileSize {
		return tooBig(d.name, int64(len(d.data)))
	}
	if len(bytes.TrimSpace(d.data)) == 0 {
		return d.errorf(0, "the file is empty: write a plan with at least one task (see docs/plan-format.md)")
	}
	if !utf8.Valid(d.data) {
		return d.errorf(firstInvalidUTF8Line(d.data), "the file is not UTF-8 text: save it as UTF-8")
	}
	return nil
}

func firstInvalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

var checklistLine = regexp.MustCompile(`(?m)^[ \t]*[-*+][ \t]+\[[ xX]\]`)

// format picks the format by extension, else by content; sniffed reports
// the latter.
func (d doc) format() (f Format, sniffed bool) {
	switch strings.ToLower(filepath.Ext(d.file)) {
	case ".yaml", ".yml":
		return FormatYAML, false
	case ".json":
		return FormatJSON, false
	case ".md", ".markdown":
		return FormatMarkdown, false
	}
	switch {
	case bytes.HasPrefix(bytes.TrimSpace(d.data), []byte("{")):
		return FormatJSON, true
	case checklistLine.Match(d.data):
		return FormatMarkdown, true
	}
	return FormatYAML, true
}

// defaultName is the plan name when the file gives none: the file's base
// name without its extension.
func (d doc) defaultName() string {
	if d.file == "" || d.file == "-" {
		return "untitled"
	}
	base := filepath.Base(d.file)
	name := strings.TrimSpace(strings.TrimSuffix(base, filepath.Ext(base)))
	if name == "" || name == "." || name == string(filepath.Separator) {
		return "untitled"
	}
	return name
}

// errorf builds the parser's one kind of error: "file:line: message".
func (d doc) errorf(line int, format string, args ...any) error {
	return core.Errorf(core.ErrInvalid, "%s: %s", d.where(line), fmt.Sprintf(format, args...))
}

// wrap is errorf keeping err (a core or library error) as the cause.
func (d doc) wrap(line int, err error, format string, args ...any) error {
	return core.Wrap(core.ErrInvalid, err, "%s: %s", d.where(line), fmt.Sprintf(format, args...))
}

func (d doc) where(line int) string {
	if line <= 0 {
		return d.name
	}
	return d.name + ":" + strconv.Itoa(line)
}
