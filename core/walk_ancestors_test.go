package core

import (
	"fmt"
	"slices"
	"testing"
)

// WalkAncestors stops at the level where the limit is reached: on a graph
// where every task has two parents in a layer 500 wide, task 1 of layer 20
// has 2, 3 and 4 distinct ancestors one, two and three steps up (9), so
// finding 11 reads four levels, however deep the walk may go. The answer
// is nearest first, then in plan order.
func TestWalkAncestorsStopsAtTheBound(t *testing.T) {
	const width = 500
	id := func(layer, i int) TaskID { return TaskID(fmt.Sprintf("t%02d-%03d", layer, i)) }
	layerOf := func(x TaskID) (l, i int) { fmt.Sscanf(string(x), "t%02d-%03d", &l, &i); return }
	levels := 0
	parents := func(ids []TaskID) ([]TaskID, error) {
		levels++
		var up []TaskID
		for _, x := range ids {
			if l, i := layerOf(x); l > 0 {
				up = append(up, id(l-1, i), id(l-1, (i*7+3)%width))
			}
		}
		return up, nil
	}
	load := func(ids []TaskID) ([]Task, error) {
		ts := make([]Task, len(ids))
		for i, x := range ids {
			ts[i] = Task{ID: x}
		}
		slices.SortFunc(ts, func(a, b Task) int { return -cmpID(a.ID, b.ID) }) // a plan order unlike the walk's
		return ts, nil
	}
	got, err := WalkAncestors(id(20, 1), 19, 11, parents, load)
	if err != nil {
		t.Fatal(err)
	}
	if levels != 4 || len(got) != 11 {
		t.Fatalf("walked %d levels for %d ancestors, want 4 levels and 11", levels, len(got))
	}
	for i := 1; i < len(got); i++ {
		la, _ := layerOf(got[i-1].ID)
		lb, _ := layerOf(got[i].ID)
		if lb > la || (lb == la && got[i].ID > got[i-1].ID) {
			t.Errorf("ancestors %v: want nearest first, then in plan order", got)
			break
		}
	}
	if l, _ := layerOf(got[0].ID); l != 19 {
		t.Errorf("first ancestor %s, want a direct dependency", got[0].ID)
	}
	if none, _ := WalkAncestors(id(0, 1), 5, 5, parents, load); len(none) != 0 {
		t.Errorf("a root's ancestors = %v", none)
	}
}

func cmpID(a, b TaskID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
