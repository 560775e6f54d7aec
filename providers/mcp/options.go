package mcp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"marcus/core"
)

// planOptions are create_project's (and add_feature's) options. Every key
// Marcus documents is accepted and checked by value; a key neither knows
// is ignored with a warning, as Marcus's server ignores it.
type planOptions struct {
	planner    string
	complexity core.Complexity
	maxTasks   int
	teamSize   int
	techStack  []string
	infoPath   string
	// kept are stored with the project (deadline, deployment, tags, the
	// workspace root) and echoed back in options_kept.
	kept     map[string]string
	warnings []string
}

// optionCheck validates one option's value into po.
type optionCheck func(o args, name string, po *planOptions) error

var optionChecks = map[string]optionCheck{
	"planner":             func(o args, n string, po *planOptions) (err error) { po.planner, err = o.str(n); return err },
	"complexity":          nil, // read with project_size and mode below
	"project_size":        nil,
	"mode":                oneOf("new_project", "auto", "select_project", "mvp", "small", "prototype", "standard", "large", "enterprise", "production"),
	"max_tasks":           func(o args, n string, po *planOptions) (err error) { po.maxTasks, err = o.integer(n, 0); return err },
	"team_size":           teamSize,
	"num_agents":          wholeNumber,
	"tech_stack":          func(o args, n string, po *planOptions) (err error) { po.techStack, err = o.list(n); return err },
	"deadline":            deadline,
	"deployment":          keep(oneOf("none", "internal", "production")),
	"deployment_target":   oneOf("local", "dev", "prod", "remote"),
	"tags":                tags,
	"provider":            provider,
	"project_root":        projectRoot,
	"project_info_path":   infoPath,
	"decomposer":          text,
	"path":                text,
	"project_id":          text,
	"create_board":        boolean,
	"planka_project_name": text,
	"planka_board_name":   text,
}

func parsePlanOptions(a args) (planOptions, error) {
	o, err := a.object("options")
	if err != nil {
		return planOptions{}, err
	}
	po := planOptions{kept: map[string]string{}}
	for _, name := range sortedKeys(o) {
		check, known := optionChecks[name]
		switch {
		case !known:
			po.warnings = append(po.warnings, fmt.Sprintf("options.%s is not an option marcus knows; it was ignored (options: %s)", name, strings.Join(sortedKeys(optionChecks), ", ")))
		case check != nil:
			if err := check(o, name, &po); err != nil {
				return po, err
			}
		}
	}
	v, err := o.strs("complexity", "project_size", "mode")
	if err != nil {
		return po, err
	}
	cx := v[0]
	if cx == "" {
		cx = legacySize(v[1], v[2])
	}
	po.complexity, err = core.ParseComplexity(cx)
	return po, err
}

// legacySize maps Marcus's older project_size and mode values.
func legacySize(size, mode string) string {
	for _, s := range []string{size, mode} {
		switch strings.ToLower(s) {
		case "mvp", "small", "prototype":
			return "prototype"
		case "large", "enterprise", "production":
			return "enterprise"
		}
	}
	return ""
}

func text(o args, n string, _ *planOptions) error {
	_, err := o.str(n)
	return err
}

func boolean(o args, n string, _ *planOptions) error {
	_, err := o.boolean(n)
	return err
}

func wholeNumber(o args, n string, _ *planOptions) error {
	_, err := o.integer(n, 0)
	return err
}

func oneOf(values ...string) optionCheck {
	return func(o args, n string, _ *planOptions) error {
		s, err := o.str(n)
		if err != nil || s == "" {
			return err
		}
		for _, v := range values {
			if strings.EqualFold(s, v) {
				return nil
			}
		}
		return core.Errorf(core.ErrInvalid, "options.%s is %q: send one of %s", n, s, strings.Join(values, ", "))
	}
}

// keep runs check, then keeps the value with the project.
func keep(check optionCheck) optionCheck {
	return func(o args, n string, po *planOptions) error {
		if err := check(o, n, po); err != nil {
			return err
		}
		if s, _ := o.str(n); s != "" {
			po.kept[n] = s
		}
		return nil
	}
}

func teamSize(o args, n string, po *planOptions) (err error) {
	if po.teamSize, err = o.integer(n, 0); err != nil {
		return err
	}
	if po.teamSize < 0 || po.teamSize > 1000 {
		return core.Errorf(core.ErrInvalid, "options.team_size is %d: send a number from 1 to 1000", po.teamSize)
	}
	return nil
}

func deadline(o args, n string, po *planOptions) error {
	s, err := o.str(n)
	if err != nil || s == "" {
		return err
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return core.Errorf(core.ErrInvalid, "options.deadline is %q: send a date as YYYY-MM-DD", s)
	}
	po.kept[n] = s
	return nil
}

func tags(o args, n string, po *planOptions) error {
	l, err := o.labels(n)
	if err == nil && len(l) > 0 {
		po.kept[n] = strings.Join(l, ",")
	}
	return err
}

// provider is accepted for Marcus's runner, which names its kanban
// provider; marcus keeps every board in its own store.
func provider(o args, n string, po *planOptions) error {
	s, err := o.str(n)
	if err == nil && s != "" {
		po.warnings = append(po.warnings, fmt.Sprintf("options.provider %q is not used: marcus keeps the board in its own store", s))
	}
	return err
}

// projectRoot becomes the project's workspace root.
func projectRoot(o args, n string, po *planOptions) error {
	s, err := o.str(n)
	if err != nil || s == "" {
		return err
	}
	if !filepath.IsAbs(s) {
		return core.Errorf(core.ErrInvalid, "options.project_root %q must be an absolute path, e.g. /home/me/app/implementation", s)
	}
	po.kept[core.OptionWorkspaceRoot] = filepath.Clean(s)
	return nil
}

func infoPath(o args, n string, po *planOptions) error {
	s, err := o.str(n)
	if err != nil || s == "" {
		return err
	}
	if !filepath.IsAbs(s) {
		return core.Errorf(core.ErrInvalid, "options.project_info_path %q must be an absolute path, e.g. /home/me/app/project_info.json", s)
	}
	po.infoPath = filepath.Clean(s)
	return nil
}

// writeProjectInfo writes Marcus's project_info.json with Marcus's keys.
// It goes to a temporary file renamed into place, so the runner, which
// waits for the file to appear, never reads half of it.
func writeProjectInfo(path string, r createResult) error {
	b, err := json.MarshalIndent(projectInfoFile{ProjectID: r.ProjectID, ProjectName: r.ProjectName, BoardID: r.BoardID,
		TasksCreated: r.TasksCreated, RecommendedAgents: r.RecommendedAgents}, "", "  ")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		return fmt.Errorf("project_info.json was not written to %s (%v); the project is stored: read its id from this result", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".project_info-*")
	if err != nil {
		return fail(err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fail(err)
	}
	return nil
}
