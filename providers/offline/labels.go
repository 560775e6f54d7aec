package offline

import "slices"

// Labels: the skills a feature needs, read from its words, so that agents'
// skills can match the tasks.

// labelRule gives labels to a feature whose name or details hold one of
// the words.
type labelRule struct {
	words  []string
	labels []string
}

func rule(labels []string, words ...string) labelRule {
	return labelRule{words: padPhrases(words...), labels: labels}
}

func labelList(labels ...string) []string { return labels }

// softwareLabels label the features of software projects, most telling
// first.
var softwareLabels = lex.labelRules("software")

// otherLabels label the features of everything else: events, moves,
// campaigns, reports, books.
var otherLabels = lex.labelRules("other")

// maxFeatureLabels caps a feature's labels: beyond a few they stop
// telling agents apart.
const maxFeatureLabels = 4

// pickLabels picks the labels of a feature from its words, falling back on
// the kind's.
func pickLabels(k *projectKind, text string) []string {
	w := wordsOf(text)
	rules := otherLabels
	if k.software {
		rules = softwareLabels
	}
	var out []string
	add := func(l string) {
		for _, x := range out {
			if x == l {
				return
			}
		}
		out = append(out, l)
	}
	if k.software && len(k.labels) > 0 && k != kinds[0] && k != kinds[2] {
		add(k.labels[0]) // a CLI feature is CLI work whatever else it is
	}
	for _, r := range rules {
		if len(out) >= maxFeatureLabels {
			break
		}
		if hasAny(w, r.words) {
			for _, l := range r.labels {
				add(l)
			}
		}
	}
	if len(out) == 0 || len(out) == 1 && k.software && k != kinds[0] && k != kinds[2] {
		for _, l := range k.labels {
			add(l)
		}
	}
	if k == kinds[0] && !slices.Contains(out, "frontend") && !slices.Contains(out, "ui") && len(out) < maxFeatureLabels {
		add("frontend") // a web app feature has a page somewhere
	}
	if len(out) > maxFeatureLabels {
		out = out[:maxFeatureLabels]
	}
	return out
}
