package offline

// Order between features: what must exist before a feature can be built.
// Conservative on purpose: a missing edge costs an agent a little waiting,
// a wrong one serialises the board.

// afterRule: a feature whose name holds one of from waits for the
// features whose names hold one of to (and none of from).
type afterRule struct{ from, to []string }

var afterRules = lex.afterRules()

// needsUser are words of features that only make sense for a signed-in
// user: they wait for the accounts feature.
var needsUser = lex.phrases("needs user")

// reporting are words of features that summarise other features' data.
var reporting = lex.phrases("reporting")

// maxAfter caps the features one feature waits for.
const maxAfter = 3

// order sets which features wait for which. The steps of an ordered
// narrative ("first ..., then ...", numbered steps) and a data pipeline's
// stages come in the order written: each waits for the one before.
func order(fs []*feature, k *projectKind) {
	last := map[int]int{}
	for i, f := range fs {
		if f.seq == 0 {
			continue
		}
		if j, ok := last[f.seq]; ok {
			link(fs, i, j)
		}
		last[f.seq] = i
	}
	if k != nil && k.name == "data pipeline" {
		for i := 1; i < len(fs); i++ {
			link(fs, i, i-1)
		}
	}
	auth := -1
	for i, f := range fs {
		if f.auth {
			auth = i
			break
		}
	}
	for i, f := range fs {
		name := wordsOf(f.name)
		if auth >= 0 && !f.auth && hasAny(name, needsUser) {
			link(fs, i, auth)
		}
		if hasAny(name, reporting) {
			for _, j := range dataFeatures(fs, i) {
				link(fs, i, j)
			}
		}
		for _, r := range afterRules {
			if !hasAny(name, r.from) {
				continue
			}
			for j, g := range fs {
				other := wordsOf(g.name)
				if j != i && hasAny(other, r.to) && !hasAny(other, r.from) {
					link(fs, i, j)
				}
			}
		}
	}
}

// dataFeatures are the features a reporting feature reads from: those
// that store or produce data, else the first plain feature.
func dataFeatures(fs []*feature, report int) []int {
	var out, plain []int
	for j, g := range fs {
		if j == report || g.auth || hasAny(wordsOf(g.name), reporting) {
			continue
		}
		plain = append(plain, j)
		for _, l := range g.labels {
			if (l == "database" || l == "data") && len(out) < maxAfter {
				out = append(out, j)
				break
			}
		}
	}
	if len(out) == 0 && len(plain) > 0 {
		out = plain[:1]
	}
	return out
}

// link makes feature i wait for feature j unless that would close a
// cycle or i already waits for enough.
func link(fs []*feature, i, j int) {
	f := fs[i]
	if i == j || len(f.after) >= maxAfter || reaches(fs, j, i) {
		return
	}
	for _, x := range f.after {
		if x == j {
			return
		}
	}
	f.after = append(f.after, j)
}

// reaches reports whether feature from waits, directly or not, for
// feature target.
func reaches(fs []*feature, from, target int) bool {
	seen := make([]bool, len(fs))
	stack := []int{from}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == target {
			return true
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		stack = append(stack, fs[v].after...)
	}
	return false
}
