package trello

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/adlio/trello"

	"marcus/core"
)

// Kind names Trello mirrors in the store.
const Kind = "trello"

// The four lists, by the task status they hold, with the names of existing
// lists that are taken for them.
var lists = []struct {
	status  core.TaskStatus
	name    string
	aliases []string
}{
	{core.StatusTodo, "Backlog", []string{"backlog", "to do", "todo", "to-do"}},
	{core.StatusInProgress, "In Progress", []string{"in progress", "doing", "wip"}},
	{core.StatusBlocked, "Blocked", []string{"blocked", "on hold", "waiting"}},
	{core.StatusDone, "Done", []string{"done", "complete", "completed"}},
}

var priorityColors = map[core.Priority]string{core.PriorityLow: "green", core.PriorityMedium: "yellow",
	core.PriorityHigh: "orange", core.PriorityUrgent: "red"}

// marker starts the part of a card's description that marcus writes; a
// person's edits above it are the task's description.
const marker = "\n\n---\nmarcus "

// Syncer keeps one project and its Trello board in step.
type Syncer struct {
	coord   *core.Coordinator
	client  *Client
	project core.ProjectID
	items   map[core.TaskID]string // the current round's task-to-card map
	owner   string                 // this syncer, for the mirror's ownership
	ttl     time.Duration          // how long a claim on the board lasts
	unsure  int64                  // the event whose comment's answer was lost, if any
	// fresh: this syncer has delivered nothing yet. The first event it
	// delivers may be the one in flight when the board's previous syncer
	// (another process, or this one before a restart) died, so it is
	// checked on the card like a lost answer.
	fresh bool
}

// NewSyncer returns a syncer for a project.
func NewSyncer(c *core.Coordinator, client *Client, project core.ProjectID) *Syncer {
	host, _ := os.Hostname()
	return &Syncer{coord: c, client: client, project: project,
		owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), core.NewID("s")), ttl: ownTTL, fresh: true}
}

// ErrOwned says another process syncs the board now.
var ErrOwned = core.Errorf(core.ErrConflict, "another marcus process syncs this board now; run one sync per database (see docs/trello.md)")

// claim makes this syncer the board's one syncer for its ttl.
func (s *Syncer) claim(ctx context.Context) error {
	ok, err := s.coord.ClaimMirror(ctx, s.project, Kind, s.owner, s.ttl)
	if err == nil && !ok {
		return ErrOwned
	}
	return err
}

// ownTTL is how long a syncer's claim on a board lasts without renewal.
var ownTTL = 30 * time.Second

type tBoard struct {
	ID, Name, URL string
}

type tList struct {
	ID, Name string
	Closed   bool
}

type tLabel struct {
	ID, Name, Color string
}

type tCard struct {
	ID, Name, Desc, IDList, ShortURL string
}

// Link links the project to a board: an existing one (board set), or a
// new one (board ""). Lists and labels are matched by name or created.
func (s *Syncer) Link(ctx context.Context, board string) (core.Mirror, error) {
	p, err := s.coord.ResolveProject(ctx, s.project)
	if err != nil {
		return core.Mirror{}, err
	}
	s.project = p.ID
	me, err := s.client.Me(ctx)
	if err != nil {
		return core.Mirror{}, err
	}
	var b tBoard
	if board == "" {
		err = s.client.do(ctx, func(api *trello.Client) error {
			return api.Post("boards", trello.Arguments{"name": p.Name, "desc": "Mirrored by marcus from project " + string(p.ID),
				"defaultLists": "false", "defaultLabels": "false"}, &b)
		})
	} else {
		err = s.client.do(ctx, func(api *trello.Client) error { return api.Get("boards/"+board, trello.Defaults(), &b) })
	}
	if err != nil {
		return core.Mirror{}, err
	}
	state := map[string]string{"me": me}
	if err := s.ensureLists(ctx, b.ID, state); err != nil {
		return core.Mirror{}, err
	}
	if err := s.ensureLabels(ctx, b.ID, state); err != nil {
		return core.Mirror{}, err
	}
	// People's changes are taken from the link on: an adopted board's
	// history is not replayed.
	last, err := s.newestAction(ctx, b.ID)
	if err != nil {
		return core.Mirror{}, err
	}
	m, err := s.coord.LinkMirror(ctx, core.Mirror{Project: p.ID, Kind: Kind, Board: b.ID, State: state})
	if err != nil || m.LastAction != "" {
		return m, err
	}
	m.LastAction = last
	return m, s.coord.SaveMirror(ctx, m)
}

func (s *Syncer) ensureLists(ctx context.Context, board string, state map[string]string) error {
	var have []tList
	if err := s.client.do(ctx, func(api *trello.Client) error { return api.Get("boards/"+board+"/lists", trello.Defaults(), &have) }); err != nil {
		return err
	}
	for _, l := range lists {
		for _, h := range have {
			if !h.Closed && slices.Contains(l.aliases, strings.ToLower(strings.TrimSpace(h.Name))) {
				state["list:"+string(l.status)] = h.ID
				break
			}
		}
		if state["list:"+string(l.status)] != "" {
			continue
		}
		var created tList
		if err := s.client.do(ctx, func(api *trello.Client) error {
			return api.Post("lists", trello.Arguments{"name": l.name, "idBoard": board, "pos": "bottom"}, &created)
		}); err != nil {
			return err
		}
		state["list:"+string(l.status)] = created.ID
	}
	return nil
}

func labelName(kind, value string) string { return kind + ": " + value }

func (s *Syncer) ensureLabels(ctx context.Context, board string, state map[string]string) error {
	var have []tLabel
	if err := s.client.do(ctx, func(api *trello.Client) error { return api.Get("boards/"+board+"/labels", trello.Defaults(), &have) }); err != nil {
		return err
	}
	want := map[string]string{}
	for p, color := range priorityColors {
		want[labelName("priority", p.String())] = color
	}
	for ph := core.PhaseDesign; ph <= core.PhaseDocs; ph++ {
		want[labelName("phase", ph.String())] = "sky"
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if i := slices.IndexFunc(have, func(l tLabel) bool { return strings.EqualFold(l.Name, n) }); i >= 0 {
			state["label:"+n] = have[i].ID
			continue
		}
		var created tLabel
		if err := s.client.do(ctx, func(api *trello.Client) error {
			return api.Post("labels", trello.Arguments{"name": n, "color": want[n], "idBoard": board}, &created)
		}); err != nil {
			return err
		}
		state["label:"+n] = created.ID
	}
	return nil
}

// Push delivers the project's events after the mirror's cursor to the
// board, in order: first a card for every task that has none, then each
// status change as one card update and each message as a comment. It
// advances the cursor as it goes, so a failure or a crash resumes where it
// stopped; Trello being down only makes the events wait.
func (s *Syncer) Push(ctx context.Context) (err error) {
	m, items, b, err := s.load(ctx)
	if err != nil {
		return err
	}
	defer func() { s.save(ctx, &m, err) }()
	if err := s.createCards(ctx, &m, items, b); err != nil {
		return err
	}
	byID := map[core.TaskID]core.Task{}
	for _, t := range b.Tasks {
		byID[t.ID] = t
	}
	// Deliver up to the snapshot the cards are reconciled with; later
	// events wait for the next push, which reads a newer board.
	for m.Cursor < b.LastEventID {
		evs, err := s.coord.Events(ctx, m.Project, m.Cursor, 500)
		if err != nil || len(evs) == 0 {
			return err
		}
		for _, ev := range evs {
			if ev.ID > b.LastEventID {
				return nil
			}
			if s.fresh {
				s.unsure, s.fresh = ev.ID, false
			}
			if err := s.deliver(ctx, &m, items, byID, ev); err != nil {
				if !s.skippable(ctx, &m, items, ev, err) {
					return err
				}
			}
			// The cursor is stored after every delivery: a crash repeats at
			// most the one delivery in flight.
			m.Cursor = ev.ID
			if err := s.coord.SaveMirror(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// skippable decides that an event the board refuses for good is passed
// over instead of holding every later one back: a card a person deleted
// (404: the card is made again on the next push) or a request Trello will
// never take (other 4xx but 401 and 429).
func (s *Syncer) skippable(ctx context.Context, m *core.Mirror, items map[core.TaskID]string, ev core.Event, err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Retry || e.Status == http.StatusUnauthorized || e.Status < 400 {
		return false
	}
	if e.Status == http.StatusNotFound && ev.Task != "" {
		if card := items[ev.Task]; card != "" {
			delete(items, ev.Task)
			delete(m.State, "at:"+card)
			delete(m.State, "url:"+card)
			_ = s.coord.ForgetMirrorItem(ctx, m.Project, Kind, ev.Task)
		}
	}
	return true
}

func (s *Syncer) load(ctx context.Context) (core.Mirror, map[core.TaskID]string, core.Board, error) {
	m, err := s.coord.Mirror(ctx, s.project, Kind)
	if err != nil {
		return m, nil, core.Board{}, err
	}
	if m.State == nil {
		m.State = map[string]string{}
	}
	items, err := s.coord.MirrorItems(ctx, m.Project, Kind)
	if err != nil {
		return m, nil, core.Board{}, err
	}
	s.items = items
	b, err := s.coord.Board(ctx, m.Project)
	return m, items, b, err
}

// save records the mirror's progress and its last error (or success).
func (s *Syncer) save(ctx context.Context, m *core.Mirror, err error) {
	if err == nil {
		m.LastSyncAt, m.LastError = s.coord.Now(), ""
	} else {
		m.LastError = err.Error()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = s.coord.SaveMirror(ctx, *m)
}

// createCards gives every task a card, adopting cards marcus made before
// (found by the marker with the task's id) so a crash between creating a
// card and recording it never leaves two.
func (s *Syncer) createCards(ctx context.Context, m *core.Mirror, items map[core.TaskID]string, b core.Board) error {
	var missing []core.Task
	for _, t := range b.Tasks {
		if items[t.ID] == "" {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	{
		// Cards marcus made whose recording a crash lost carry their task's
		// id: adopt them rather than make them twice.
		var cards []tCard
		if err := s.client.do(ctx, func(api *trello.Client) error { return api.Get("boards/"+m.Board+"/cards", trello.Defaults(), &cards) }); err != nil {
			return err
		}
		for _, c := range cards {
			if id := taskOfDesc(c.Desc); id != "" && items[id] == "" {
				items[id] = c.ID
				m.State["url:"+c.ID] = c.ShortURL
				if err := s.coord.SetMirrorItem(ctx, m.Project, Kind, id, c.ID); err != nil {
					return err
				}
			}
		}
	}
	names := map[core.TaskID]string{}
	for _, t := range b.Tasks {
		names[t.ID] = t.Name
	}
	nameOf := func(id core.TaskID) string { return names[id] }
	for _, t := range missing {
		if items[t.ID] != "" {
			continue
		}
		desc := cardDesc(t, nameOf, s.linker(m, items))
		var c tCard
		if err := s.client.do(ctx, func(api *trello.Client) error {
			return api.Post("cards", trello.Arguments{"name": t.Name, "desc": desc, "idList": m.State["list:"+string(t.Status)],
				"idLabels": labelsFor(m, t), "pos": "bottom"}, &c)
		}); err != nil {
			return err
		}
		items[t.ID] = c.ID
		m.State["url:"+c.ID], m.State["at:"+c.ID] = c.ShortURL, cardSig(t, desc)
		if err := s.coord.SetMirrorItem(ctx, m.Project, Kind, t.ID, c.ID); err != nil {
			return err
		}
		if len(t.Acceptance) > 0 {
			if err := s.checklist(ctx, c.ID, t.Acceptance); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Syncer) checklist(ctx context.Context, card string, items []string) error {
	var cl struct{ ID string }
	if err := s.client.do(ctx, func(api *trello.Client) error {
		return api.Post("cards/"+card+"/checklists", trello.Arguments{"name": "Acceptance"}, &cl)
	}); err != nil {
		return err
	}
	for _, it := range items {
		var out struct{ ID string }
		if err := s.client.do(ctx, func(api *trello.Client) error {
			return api.Post("checklists/"+cl.ID+"/checkItems", trello.Arguments{"name": it}, &out)
		}); err != nil {
			return err
		}
	}
	return nil
}

// cardDesc is the task's description and marcus's block: the task id (so
// the card is found again), its status, holder and progress, and what it
// waits for, each a link to its card when its card is known.
func cardDesc(t core.Task, nameOf func(core.TaskID) string, link func(core.TaskID) string) string {
	var b strings.Builder
	// adlio/trello sends every argument in the URL: keep it well inside
	// what servers accept.
	b.WriteString(cutText(strings.TrimSpace(t.Description), maxCardText))
	fmt.Fprintf(&b, "%s%s · %s", marker, t.ID, strings.ReplaceAll(string(t.Status), "_", " "))
	if t.Holder != "" {
		fmt.Fprintf(&b, " · %s · %d%%", t.Holder, t.Progress)
	}
	if t.BlockedReason != "" {
		fmt.Fprintf(&b, " · blocked: %s", oneLine(t.BlockedReason))
	}
	if len(t.Dependencies) > 0 {
		var deps []string
		for _, d := range t.Dependencies {
			name := nameOf(d.Task)
			if url := link(d.Task); url != "" {
				name = "[" + name + "](" + url + ")"
			}
			deps = append(deps, name)
		}
		b.WriteString("\nwaits for: " + strings.Join(deps, ", "))
	}
	return b.String()
}

// maxCardText bounds the task description copied into a card.
const maxCardText = 3000

func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s[:n])
	return string(r[:len(r)-1]) + "…"
}

// taskOfDesc reads the task id from a card marcus wrote.
func taskOfDesc(desc string) core.TaskID {
	_, rest, ok := strings.Cut(desc, marker)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, " ")
	return core.TaskID(strings.TrimSpace(id))
}

// personDesc is the part of a card's description a person wrote.
func personDesc(desc string) string {
	human, _, _ := strings.Cut(desc, marker)
	return strings.TrimSpace(human)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// deliver brings one event to the board.
func (s *Syncer) deliver(ctx context.Context, m *core.Mirror, items map[core.TaskID]string, byID map[core.TaskID]core.Task, ev core.Event) error {
	card := items[ev.Task]
	if card == "" {
		return nil // a task added after this push began: the next push makes its card
	}
	switch ev.Kind {
	case core.EventTaskClaimed, core.EventTaskCompleted, core.EventTaskBlocked, core.EventTaskUnassigned,
		core.EventLeaseRecovered, core.EventCircuitBroken, core.EventTaskEdited, core.EventTaskProgress,
		core.EventPriorityChanged:
		if err := s.reconcile(ctx, m, card, byID[ev.Task], byID); err != nil {
			return err
		}
	}
	if text := commentFor(ev); text != "" {
		return s.comment(ctx, m, card, ev.ID, text)
	}
	return nil
}

// reconcile puts a card in the list of its task's current status, with its
// current name and description, in one request; it sends nothing when the
// card already shows them.
func (s *Syncer) reconcile(ctx context.Context, m *core.Mirror, card string, t core.Task, byID map[core.TaskID]core.Task) error {
	desc := cardDesc(t, func(id core.TaskID) string { return byID[id].Name }, s.linker(m, s.items))
	key := "at:" + card
	sig := cardSig(t, desc)
	if m.State[key] == sig {
		return nil
	}
	err := s.client.do(ctx, func(api *trello.Client) error {
		var out tCard
		return api.Put("cards/"+card, trello.Arguments{"idList": m.State["list:"+string(t.Status)], "name": t.Name, "desc": desc,
			"idLabels": labelsFor(m, t)}, &out)
	})
	if err == nil {
		m.State[key] = sig
	}
	return err
}

// labelsFor lists the label ids of a task's priority and phase.
func labelsFor(m *core.Mirror, t core.Task) string {
	labels := []string{m.State["label:"+labelName("priority", t.Priority.String())], m.State["label:"+labelName("phase", t.Phase.String())]}
	return strings.Join(slices.DeleteFunc(labels, func(s string) bool { return s == "" }), ",")
}

// cardSig is what a card shows of its task, to tell whether it needs an
// update.
func cardSig(t core.Task, desc string) string {
	return string(t.Status) + "\x00" + t.Name + "\x00" + t.Priority.String() + "\x00" + desc
}

// linker finds the link to a task's card.
func (s *Syncer) linker(m *core.Mirror, items map[core.TaskID]string) func(core.TaskID) string {
	return func(id core.TaskID) string {
		if card := items[id]; card != "" {
			return m.State["url:"+card]
		}
		return ""
	}
}

// commentFor is the comment an event leaves on its card, or "".
func commentFor(ev core.Event) string {
	who := string(ev.Agent)
	switch ev.Kind {
	case core.EventLeaseRecovered:
		return fmt.Sprintf("Recovered from %s, who went silent; back in the backlog with its handoff", who)
	case core.EventCircuitBroken:
		return "Blocked for a person: three holders went silent on it"
	}
	switch p := ev.Payload.(type) {
	case core.TaskProgress:
		if msg := oneLine(p.Message); msg != "" {
			return fmt.Sprintf("%s · %d%%: %s", who, p.Progress, msg)
		}
	case core.DecisionLogged:
		return fmt.Sprintf("Decision (%s): %s", who, oneLine(p.Decision))
	case core.ArtifactLogged:
		return fmt.Sprintf("Artifact (%s): %s (%s)", who, oneLine(p.Filename), oneLine(p.Type))
	case core.BlockerReported:
		return fmt.Sprintf("Blocker from %s (%s): %s", who, oneLine(p.Severity), oneLine(p.Description))
	}
	return ""
}

// tAction is a board action, as Trello sends it.
type tAction struct {
	ID              string    `json:"id"`
	IDMemberCreator string    `json:"idMemberCreator"`
	Type            string    `json:"type"`
	Date            time.Time `json:"date"`
	Data            struct {
		Card struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			Desc   string `json:"desc"`
			IDList string `json:"idList"`
		} `json:"card"`
		Old struct {
			Name *string `json:"name"`
			Desc *string `json:"desc"`
		} `json:"old"`
		ListAfter  *struct{ ID string } `json:"listAfter"`
		ListBefore *struct{ ID string } `json:"listBefore"`
		List       *struct{ ID string } `json:"list"`
		CheckItem  *struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"checkItem"`
	} `json:"data"`
	MemberCreator struct {
		Username string `json:"username"`
	} `json:"memberCreator"`
}

// Pull applies people's changes on the board since the last one applied,
// through the Coordinator and its rules: a card moved to Done completes its
// task, to Blocked blocks it, back to Backlog unassigns or unblocks it; a
// new card in the Backlog becomes a task; a renamed card or an edited
// description edits the task; a ticked checklist item is noted. marcus's
// own actions are skipped. A change the rules refuse (a card dragged to In
// Progress: only agents claim) is undone on the board.
func (s *Syncer) Pull(ctx context.Context) (err error) {
	m, items, b, err := s.load(ctx)
	if err != nil {
		return err
	}
	defer func() { s.save(ctx, &m, err) }()
	acts, err := s.actionsSince(ctx, m.Board, m.LastAction)
	if err != nil {
		return err
	}
	taskOf := map[string]core.TaskID{}
	for id, card := range items {
		taskOf[card] = id
	}
	statusOf := map[string]core.TaskStatus{}
	for _, l := range lists {
		statusOf[m.State["list:"+string(l.status)]] = l.status
	}
	byID := map[core.TaskID]core.Task{}
	for _, t := range b.Tasks {
		byID[t.ID] = t
	}
	for _, a := range acts {
		if a.IDMemberCreator != m.State["me"] {
			if err := s.apply(ctx, &m, a, taskOf, statusOf, byID); err != nil {
				return err
			}
		}
		// Stored after every action: a crash repeats at most the one in
		// flight, and each is harmless twice.
		m.LastAction = a.ID
		if err := s.coord.SaveMirror(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// actionPage is how many actions one request asks for (Trello's maximum).
const actionPage = 1000

// actionsSince reads the board's card actions after since, oldest first,
// a page at a time so a long absence loses none.
func (s *Syncer) actionsSince(ctx context.Context, board, since string) ([]tAction, error) {
	var all []tAction
	before := ""
	for {
		args := trello.Arguments{"filter": "createCard,updateCard,updateCheckItemStateOnCard", "limit": strconv.Itoa(actionPage)}
		if since != "" {
			args["since"] = since
		}
		if before != "" {
			args["before"] = before
		}
		var page []tAction
		if err := s.client.do(ctx, func(api *trello.Client) error { return api.Get("boards/"+board+"/actions", args, &page) }); err != nil {
			return nil, err
		}
		all = append(all, page...) // newest first, page after page
		if len(page) < actionPage {
			break
		}
		before = page[len(page)-1].ID
	}
	slices.Reverse(all)
	return all, nil
}

// newestAction is the id of the board's newest action ("" for none).
func (s *Syncer) newestAction(ctx context.Context, board string) (string, error) {
	var page []tAction
	err := s.client.do(ctx, func(api *trello.Client) error {
		return api.Get("boards/"+board+"/actions", trello.Arguments{"limit": "1"}, &page)
	})
	if err != nil || len(page) == 0 {
		return "", err
	}
	return page[0].ID, nil
}

func (s *Syncer) apply(ctx context.Context, m *core.Mirror, a tAction, taskOf map[string]core.TaskID, statusOf map[string]core.TaskStatus, byID map[core.TaskID]core.Task) error {
	by := "trello:" + a.MemberCreator.Username
	card := a.Data.Card.ID
	task, known := taskOf[card]
	switch {
	case a.Type == "createCard" && !known && (a.Data.List == nil || statusOf[a.Data.List.ID] != core.StatusTodo):
		return nil // only a new card in the Backlog is a new task
	case a.Type == "createCard" && !known:
		// The action carries the card's name, not its description.
		var c tCard
		if err := s.client.do(ctx, func(api *trello.Client) error { return api.Get("cards/"+card, trello.Defaults(), &c) }); err != nil {
			if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
				return nil // made and deleted before this pull
			}
			return err
		}
		t, err := s.coord.AddTask(ctx, m.Project, core.PlanTask{Name: c.Name, Description: personDesc(c.Desc)}, by)
		if err != nil {
			return s.refused(ctx, err)
		}
		taskOf[card], byID[t.ID] = t.ID, t
		if err := s.coord.SetMirrorItem(ctx, m.Project, Kind, t.ID, card); err != nil {
			return err
		}
		// The card now says which task it is, and sits where the task does.
		delete(m.State, "at:"+card)
		return s.reconcile(ctx, m, card, t, byID)
	case !known:
		return nil // a card marcus does not know (made before the link)
	case a.Type == "updateCard" && a.Data.ListAfter != nil:
		to, ok := statusOf[a.Data.ListAfter.ID]
		if !ok {
			return nil // moved to a list marcus does not use
		}
		var err error
		switch to {
		case core.StatusDone:
			_, err = s.coord.CompleteTask(ctx, task, by)
		case core.StatusBlocked:
			_, err = s.coord.BlockTask(ctx, task, "blocked on Trello by "+a.MemberCreator.Username)
		case core.StatusTodo:
			if t := byID[task]; t.Status == core.StatusInProgress && t.Lease.ClaimedAt.After(a.Date) {
				// The person moved the card before this holder claimed it:
				// the move was about an earlier state; leave the new holder be.
				return s.putRight(ctx, m, card, task, byID)
			}
			_, err = s.coord.Unassign(ctx, task, "moved back to the backlog on Trello by "+a.MemberCreator.Username)
		case core.StatusInProgress:
			err = core.Errorf(core.ErrConflict, "only agents start tasks")
		}
		if err != nil && core.CodeOf(err) != core.ErrConflict && core.CodeOf(err) != core.ErrInvalid {
			return err
		}
		return s.putRight(ctx, m, card, task, byID)
	case a.Type == "updateCard" && (a.Data.Old.Name != nil || a.Data.Old.Desc != nil):
		var name, desc *string
		if a.Data.Old.Name != nil {
			name = &a.Data.Card.Name
		}
		if a.Data.Old.Desc != nil {
			d := personDesc(a.Data.Card.Desc)
			desc = &d
		}
		if _, err := s.coord.EditTask(ctx, task, name, desc, by); err != nil && core.CodeOf(err) != core.ErrConflict && core.CodeOf(err) != core.ErrInvalid {
			return err
		}
		return s.putRight(ctx, m, card, task, byID)
	case a.Type == "updateCheckItemStateOnCard" && a.Data.CheckItem != nil:
		verb := "ticked"
		if a.Data.CheckItem.State != "complete" {
			verb = "unticked"
		}
		return s.coord.NoteTask(ctx, task, verb+" on Trello: "+a.Data.CheckItem.Name, by)
	}
	return nil
}

// putRight makes the card show its task as the store now has it: the
// person's change when the rules took it, the store's state when they did
// not.
func (s *Syncer) putRight(ctx context.Context, m *core.Mirror, card string, task core.TaskID, byID map[core.TaskID]core.Task) error {
	v, err := s.coord.TaskDetail(ctx, task)
	if err != nil {
		return err
	}
	byID[task] = v.Task
	delete(m.State, "at:"+card) // the person moved it: what it shows is unknown
	return s.reconcile(ctx, m, card, v.Task, byID)
}

// refused turns a person's change the rules refuse into nothing to retry.
func (s *Syncer) refused(ctx context.Context, err error) error {
	if c := core.CodeOf(err); c == core.ErrInvalid || c == core.ErrConflict {
		return nil
	}
	return err
}

// Sync pushes then pulls once.
func (s *Syncer) Sync(ctx context.Context) error {
	if err := s.claim(ctx); err != nil {
		return err
	}
	perr := s.Push(ctx)
	if retry, _ := Retryable(perr); perr != nil && retry {
		return perr // Trello is away: pulling would fail the same way
	}
	return errors.Join(perr, s.Pull(ctx))
}

// Run syncs every interval until ctx ends. A failure waits (as long as
// Trello asked, or with backoff up to a minute) and tries again; marcus
// keeps working meanwhile and nothing is lost: the events wait after the
// cursor.
func (s *Syncer) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	backoff := time.Second
	for ctx.Err() == nil {
		wait := interval
		if err := s.Sync(ctx); errors.Is(err, ErrOwned) {
			// Another process syncs this board: stand by.
		} else if err != nil && ctx.Err() == nil {
			if onErr != nil {
				onErr(err)
			}
			_, after := Retryable(err)
			wait = max(after, backoff)
			backoff = min(backoff*2, time.Minute)
		} else {
			backoff = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	// On the way out, deliver what is pending, for at most FinalSync: a
	// board left behind would be caught up by the next run anyway.
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), FinalSync)
	defer cancel()
	if err := s.claim(final); err != nil {
		return // another process owns the board: it delivers
	}
	if err := s.Push(final); err != nil && onErr != nil {
		onErr(err)
	}
	s.Release(final)
}

// FinalSync bounds the last push when a sync loop stops.
const FinalSync = 10 * time.Second

var _ core.BoardSync = (*Syncer)(nil)

// Release gives the board up, so another process may sync it at once.
func (s *Syncer) Release(ctx context.Context) {
	_, _ = s.coord.ClaimMirror(ctx, s.project, Kind, s.owner, 0)
}
