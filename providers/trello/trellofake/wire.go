package trellofake

import (
	"strconv"
	"strings"
	"time"
)

// The JSON shapes below follow Trello's REST API v1 (field names, nesting,
// nulls) as its API reference and adlio/trello's testdata show them.

// fmtTime is Trello's date format: UTC with milliseconds.
func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func fmtTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := fmtTime(*t)
	return &s
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type emojiData struct {
	Emoji struct{} `json:"emoji"`
}

type memberJSON struct {
	ID         string  `json:"id"`
	AvatarHash *string `json:"avatarHash"`
	AvatarURL  *string `json:"avatarUrl"`
	FullName   string  `json:"fullName"`
	Initials   string  `json:"initials"`
	Username   string  `json:"username"`
}

type meJSON struct {
	memberJSON
	URL             string   `json:"url"`
	IDBoards        []string `json:"idBoards"`
	IDOrganizations []string `json:"idOrganizations"`
	Email           *string  `json:"email"`
}

func renderMember(m Member) memberJSON {
	return memberJSON{ID: m.ID, FullName: m.FullName, Initials: initials(m.FullName), Username: m.Username}
}

func initials(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		b.WriteString(strings.ToUpper(f[:1]))
	}
	return b.String()
}

type prefsJSON struct {
	PermissionLevel       string  `json:"permissionLevel"`
	HideVotes             bool    `json:"hideVotes"`
	Voting                string  `json:"voting"`
	Comments              string  `json:"comments"`
	Invitations           string  `json:"invitations"`
	SelfJoin              bool    `json:"selfJoin"`
	CardCovers            bool    `json:"cardCovers"`
	IsTemplate            bool    `json:"isTemplate"`
	CardAging             string  `json:"cardAging"`
	CalendarFeedEnabled   bool    `json:"calendarFeedEnabled"`
	Background            string  `json:"background"`
	BackgroundImage       *string `json:"backgroundImage"`
	BackgroundImageScaled *[]any  `json:"backgroundImageScaled"`
	BackgroundTile        bool    `json:"backgroundTile"`
	BackgroundBrightness  string  `json:"backgroundBrightness"`
	BackgroundColor       string  `json:"backgroundColor"`
	CanBePublic           bool    `json:"canBePublic"`
	CanBeOrg              bool    `json:"canBeOrg"`
	CanBePrivate          bool    `json:"canBePrivate"`
	CanInvite             bool    `json:"canInvite"`
}

var defaultPrefs = prefsJSON{
	PermissionLevel: "private", Voting: "disabled", Comments: "members", Invitations: "members",
	SelfJoin: true, CardCovers: true, CardAging: "regular", Background: "blue",
	BackgroundBrightness: "dark", BackgroundColor: "#0079BF",
	CanBePublic: true, CanBeOrg: true, CanBePrivate: true, CanInvite: true,
}

type boardJSON struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Desc             string            `json:"desc"`
	DescData         *emojiData        `json:"descData"`
	Closed           bool              `json:"closed"`
	IDOrganization   *string           `json:"idOrganization"`
	IDEnterprise     *string           `json:"idEnterprise"`
	IDMemberCreator  string            `json:"idMemberCreator"`
	Pinned           bool              `json:"pinned"`
	URL              string            `json:"url"`
	ShortURL         string            `json:"shortUrl"`
	ShortLink        string            `json:"shortLink"`
	Prefs            prefsJSON         `json:"prefs"`
	LabelNames       map[string]string `json:"labelNames"`
	DateLastActivity string            `json:"dateLastActivity"`
	Lists            *[]listJSON       `json:"lists,omitempty"`
	Labels           *[]labelJSON      `json:"labels,omitempty"`
	Cards            *[]cardJSON       `json:"cards,omitempty"`
	Checklists       *[]checklistJSON  `json:"checklists,omitempty"`
	Actions          *[]actionJSON     `json:"actions,omitempty"`
}

// labelColors are the colours labelNames always carries.
var labelColors = []string{"green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"}

func (st *state) renderBoard(b *board) boardJSON {
	names := map[string]string{}
	for _, c := range labelColors {
		names[c] = ""
	}
	for _, l := range st.boardLabels(b.id) {
		if _, ok := names[l.color]; ok && names[l.color] == "" {
			names[l.color] = l.name
		}
	}
	return boardJSON{
		ID: b.id, Name: b.name, Desc: b.desc, Closed: b.closed, IDMemberCreator: b.idMemberCreator,
		URL:       "https://trello.com/b/" + b.shortLink + "/" + slug(b.name),
		ShortURL:  "https://trello.com/b/" + b.shortLink,
		ShortLink: b.shortLink, Prefs: defaultPrefs, LabelNames: names,
		DateLastActivity: fmtTime(b.lastActivity),
	}
}

type listJSON struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Closed     bool        `json:"closed"`
	IDBoard    string      `json:"idBoard"`
	Pos        float64     `json:"pos"`
	Subscribed bool        `json:"subscribed"`
	SoftLimit  *int        `json:"softLimit"`
	Cards      *[]cardJSON `json:"cards,omitempty"`
}

func renderList(l *list) listJSON {
	return listJSON{ID: l.id, Name: l.name, Closed: l.closed, IDBoard: l.idBoard, Pos: l.pos}
}

type labelJSON struct {
	ID      string  `json:"id"`
	IDBoard string  `json:"idBoard"`
	Name    string  `json:"name"`
	Color   *string `json:"color"`
	Uses    int     `json:"uses"`
}

func (st *state) renderLabel(l *label) labelJSON {
	uses := 0
	for _, c := range st.cards {
		if contains(c.idLabels, l.id) {
			uses++
		}
	}
	return labelJSON{ID: l.id, IDBoard: l.idBoard, Name: l.name, Color: nullable(l.color), Uses: uses}
}

type badgesJSON struct {
	Votes              int     `json:"votes"`
	ViewingMemberVoted bool    `json:"viewingMemberVoted"`
	Subscribed         bool    `json:"subscribed"`
	Fogbugz            string  `json:"fogbugz"`
	CheckItems         int     `json:"checkItems"`
	CheckItemsChecked  int     `json:"checkItemsChecked"`
	Comments           int     `json:"comments"`
	Attachments        int     `json:"attachments"`
	Description        bool    `json:"description"`
	Due                *string `json:"due"`
	DueComplete        bool    `json:"dueComplete"`
}

type checkItemStateJSON struct {
	IDCheckItem string `json:"idCheckItem"`
	State       string `json:"state"`
}

type coverJSON struct {
	IDAttachment         *string `json:"idAttachment"`
	Color                *string `json:"color"`
	IDUploadedBackground *string `json:"idUploadedBackground"`
	Size                 string  `json:"size"`
	Brightness           string  `json:"brightness"`
}

type cardJSON struct {
	ID                    string               `json:"id"`
	Badges                badgesJSON           `json:"badges"`
	CheckItemStates       []checkItemStateJSON `json:"checkItemStates"`
	Closed                bool                 `json:"closed"`
	DueComplete           bool                 `json:"dueComplete"`
	DateLastActivity      string               `json:"dateLastActivity"`
	Desc                  string               `json:"desc"`
	DescData              emojiData            `json:"descData"`
	Due                   *string              `json:"due"`
	DueReminder           *int                 `json:"dueReminder"`
	Email                 *string              `json:"email"`
	IDBoard               string               `json:"idBoard"`
	IDChecklists          []string             `json:"idChecklists"`
	IDList                string               `json:"idList"`
	IDMembers             []string             `json:"idMembers"`
	IDMembersVoted        []string             `json:"idMembersVoted"`
	IDShort               int                  `json:"idShort"`
	IDAttachmentCover     *string              `json:"idAttachmentCover"`
	Labels                []labelJSON          `json:"labels"`
	IDLabels              []string             `json:"idLabels"`
	ManualCoverAttachment bool                 `json:"manualCoverAttachment"`
	Name                  string               `json:"name"`
	Pos                   float64              `json:"pos"`
	ShortLink             string               `json:"shortLink"`
	ShortURL              string               `json:"shortUrl"`
	Start                 *string              `json:"start"`
	Subscribed            bool                 `json:"subscribed"`
	URL                   string               `json:"url"`
	Cover                 coverJSON            `json:"cover"`
	Checklists            *[]checklistJSON     `json:"checklists,omitempty"`
	Attachments           *[]attachmentJSON    `json:"attachments,omitempty"`
	Actions               *[]actionJSON        `json:"actions,omitempty"`
	Board                 *boardJSON           `json:"board,omitempty"`
	List                  *listJSON            `json:"list,omitempty"`
}

func (st *state) renderCard(c *card) cardJSON {
	out := cardJSON{
		ID: c.id, CheckItemStates: []checkItemStateJSON{}, Closed: c.closed,
		DateLastActivity: fmtTime(c.lastActivity), Desc: c.desc, Due: fmtTimePtr(c.due),
		IDBoard: c.idBoard, IDChecklists: append([]string{}, c.idChecklists...), IDList: c.idList,
		IDMembers: []string{}, IDMembersVoted: []string{}, IDShort: c.idShort,
		Labels: []labelJSON{}, IDLabels: append([]string{}, c.idLabels...), Name: c.name, Pos: c.pos,
		ShortLink: c.shortLink, ShortURL: "https://trello.com/c/" + c.shortLink,
		URL:   "https://trello.com/c/" + c.shortLink + "/" + strconv.Itoa(c.idShort) + "-" + slug(c.name),
		Cover: coverJSON{Size: "normal", Brightness: "light"},
	}
	for _, id := range c.idLabels {
		out.Labels = append(out.Labels, st.renderLabel(st.labels[id]))
	}
	out.Badges = st.badges(c, &out)
	return out
}

// badges counts what Trello's badges count, and fills checkItemStates.
func (st *state) badges(c *card, out *cardJSON) badgesJSON {
	b := badgesJSON{Attachments: len(c.attachments), Description: c.desc != "", Due: out.Due}
	for _, cl := range st.cardChecklists(c) {
		for _, it := range cl.items {
			b.CheckItems++
			if it.state == stateComplete {
				b.CheckItemsChecked++
				out.CheckItemStates = append(out.CheckItemStates, checkItemStateJSON{it.id, it.state})
			}
		}
	}
	for _, a := range st.actions {
		if a.idCard == c.id && a.typ == "commentCard" {
			b.Comments++
		}
	}
	return b
}

type checkItemJSON struct {
	ID          string    `json:"id"`
	IDChecklist string    `json:"idChecklist"`
	Name        string    `json:"name"`
	NameData    emojiData `json:"nameData"`
	Pos         float64   `json:"pos"`
	State       string    `json:"state"`
	Due         *string   `json:"due"`
	IDMember    *string   `json:"idMember"`
}

func renderCheckItem(it *checkItem) checkItemJSON {
	return checkItemJSON{ID: it.id, IDChecklist: it.idChecklist, Name: it.name, Pos: it.pos, State: it.state}
}

type checklistJSON struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	IDBoard    string          `json:"idBoard"`
	IDCard     string          `json:"idCard"`
	Pos        float64         `json:"pos"`
	CheckItems []checkItemJSON `json:"checkItems"`
}

func renderChecklist(cl *checklist) checklistJSON {
	out := checklistJSON{ID: cl.id, Name: cl.name, IDBoard: cl.idBoard, IDCard: cl.idCard, Pos: cl.pos,
		CheckItems: []checkItemJSON{}}
	for _, it := range cl.items {
		out.CheckItems = append(out.CheckItems, renderCheckItem(it))
	}
	return out
}

type attachmentJSON struct {
	ID        string  `json:"id"`
	Bytes     *int    `json:"bytes"`
	Date      string  `json:"date"`
	EdgeColor *string `json:"edgeColor"`
	IDMember  string  `json:"idMember"`
	IsUpload  bool    `json:"isUpload"`
	MimeType  *string `json:"mimeType"`
	Name      string  `json:"name"`
	Previews  []any   `json:"previews"`
	URL       string  `json:"url"`
	Pos       float64 `json:"pos"`
}

func renderAttachment(a *attachment) attachmentJSON {
	out := attachmentJSON{ID: a.id, Date: fmtTime(a.date), IDMember: a.idMember, IsUpload: a.isUpload,
		MimeType: nullable(a.mimeType), Name: a.name, Previews: []any{}, URL: a.url, Pos: a.pos}
	if a.isUpload {
		n := a.bytes
		out.Bytes = &n
	}
	return out
}

type actionJSON struct {
	ID              string         `json:"id"`
	IDMemberCreator string         `json:"idMemberCreator"`
	Data            map[string]any `json:"data"`
	AppCreator      *string        `json:"appCreator"`
	Type            string         `json:"type"`
	Date            string         `json:"date"`
	Limits          struct{}       `json:"limits"`
	MemberCreator   memberJSON     `json:"memberCreator"`
}

func (st *state) renderAction(a *action) actionJSON {
	return actionJSON{ID: a.id, IDMemberCreator: a.idMemberCreator, Data: a.data, Type: a.typ,
		Date: fmtTime(a.date), MemberCreator: renderMember(st.members[a.idMemberCreator])}
}

func (st *state) renderActions(as []*action) []actionJSON {
	out := make([]actionJSON, 0, len(as))
	for _, a := range as {
		out = append(out, st.renderAction(a))
	}
	return out
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
