package mcp

import (
	"maps"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// resultTypes are the result types of each tool. The test below keeps
// docs/protocol.md and them in step, field by field.
var resultTypes = map[string][]any{
	"ping":                       {pingResult{}},
	"authenticate":               {authenticateResult{}},
	"register_agent":             {registerResult{}},
	"request_next_task":          {nextTaskResult{}},
	"get_task_context":           {contextResult{}},
	"report_task_progress":       {progressResult{}, gateRefusalResult{}},
	"report_blocker":             {blockerResult{}},
	"log_decision":               {decisionResult{}},
	"log_artifact":               {artifactResult{}},
	"get_project_status":         {projectStatusResult{}},
	"get_agent_status":           {agentStatusResult{}},
	"list_projects":              {projectEntry{}},
	"unassign_task":              {unassignResult{}},
	"get_optimal_agent_count":    {optimalResult{}},
	"get_desired_agent_count":    {desiredResult{}},
	"create_project":             {createResult{}, projectInfoFile{}},
	"add_feature":                {featureResult{}},
	"get_cost_summary":           {costResult{}},
	"start_experiment":           {startResult{}},
	"get_experiment_status":      {experimentStatusResult{}, noExperimentResult{}},
	"end_experiment":             {endResult{}},
	"query_project_history":      {historyResult{}, historySummary{}, historyTask{}, historyArtifact{}, historyEvent{}, historyMessage{}, historyAgent{}},
	"list_project_history_files": {historyFilesResult{}},
}

// jsonFields lists the JSON names of a result type's fields, with those
// of its embedded structs and of the nested structs defined here.
func jsonFields(t reflect.Type, into map[string]bool) { fieldsOf(t, into, false) }

// fieldsOf is jsonFields; deep also enters nested structs of other
// packages (core's cost totals, say), which docs may list but need not.
func fieldsOf(t reflect.Type, into map[string]bool, deep bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous {
			fieldsOf(f.Type, into, deep)
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		into[name] = true
		inner := f.Type
		for inner.Kind() == reflect.Pointer || inner.Kind() == reflect.Slice {
			inner = inner.Elem()
		}
		if strings.HasSuffix(inner.PkgPath(), "providers/mcp") || (deep && inner != reflect.TypeOf(time.Time{})) {
			fieldsOf(inner, into, deep)
		}
	}
}

func docSection(doc, tool string) string {
	head := "### `" + tool + "`"
	at := strings.Index(doc, head)
	if at < 0 {
		return ""
	}
	s := doc[at+len(head):]
	if next := strings.Index(s, "\n#"); next >= 0 {
		s = s[:next]
	}
	return s
}

// inherits names the tool whose result fields a tool's result includes.
var inherits = map[string]string{"end_experiment": "get_experiment_status"}

var backticked = regexp.MustCompile("`([a-z][a-z0-9_]*)`")

// TestResultFieldsDocumented: every field of every result type is named in
// its tool's section of docs/protocol.md, and every name in a section's
// "Result fields" paragraph is a field of the tool's result types (or a
// value it takes, listed here).
func TestResultFieldsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	failureFields := map[string]bool{}
	jsonFields(reflect.TypeOf(failureResult{}), failureFields)
	for f := range failureFields {
		if !strings.Contains(doc, "`"+f+"`") {
			t.Errorf("docs/protocol.md does not document the failure field %s", f)
		}
	}
	values := map[string]bool{"sqlite": true, "postgres": true, "complete": true, "request": true, "in_scope": true,
		"include_details": true, "get_task_context": true, "get_experiment_status": true, "analyze": true, "expand": true,
		"total": true, "stored": true, "auto_detect": true, "request_next_task": true, "project_root": true, "report_task_progress": true, "start_experiment": true}
	for tool, types := range resultTypes {
		section := docSection(doc, tool)
		if section == "" {
			t.Errorf("docs/protocol.md has no section for %s", tool)
			continue
		}
		fields, allowed := map[string]bool{}, map[string]bool{}
		for _, v := range types {
			jsonFields(reflect.TypeOf(v), fields)
			fieldsOf(reflect.TypeOf(v), allowed, true)
		}
		// A result that includes another tool's (end_experiment has
		// get_experiment_status's) documents them by reference.
		if parent, ok := inherits[tool]; ok {
			for _, v := range resultTypes[parent] {
				inherited := map[string]bool{}
				jsonFields(reflect.TypeOf(v), inherited)
				maps.DeleteFunc(fields, func(f string, _ bool) bool { return inherited[f] && f != "success" })
			}
		}
		for f := range fields {
			if !strings.Contains(section, "`"+f+"`") {
				t.Errorf("docs/protocol.md: %s does not document its result field %s", tool, f)
			}
		}
		for _, para := range strings.Split(section, "\n\n") {
			at := strings.Index(para, "Result fields")
			if at < 0 {
				continue
			}
			for _, m := range backticked.FindAllStringSubmatch(para[at:], -1) {
				if !allowed[m[1]] && !values[m[1]] {
					t.Errorf("docs/protocol.md: %s documents a result field %s that its results do not have", tool, m[1])
				}
			}
		}
	}
}
