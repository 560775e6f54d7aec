// Package ui is the terminal dashboard: Bubble Tea models that render core
// snapshots and never do I/O in Update or View. Like every package here it
// may import only core among marcus's packages; layout_test.go at the
// module root keeps that rule.
//
// # Shape
//
// The root model (model.go, load.go, frame.go) owns the snapshot, loaded
// in the background after every change (snapshot.go), the header and
// footer, which tab has focus and which overlay is open. Every screen is
// its own model in its own files, implementing view (view.go): the tabs
// boardView, agentsView, activityView, graphView and experimentsView, and
// the overlays detailView, pickerView, helpView and createFlow (the new
// project form, planning and review). The root sizes each view, hands it
// every snapshot it accepts and routes keys to the open overlay, else to
// the focused tab; a tab that is Typing (a filter) gets every key.
//
// A view changes nothing outside itself. It asks the root for anything
// else by returning a command whose message the root routes (msgs.go):
// openDetailMsg, selectProjectMsg, noteMsg (a footer line), taskOpMsg (a
// change to a task, which the root runs and the board follows). An overlay
// says it is finished through Done, which the root reads right after
// Update. shape_test.go keeps these rules.
//
// Every asynchronous answer carries what it answers: a snapshot its load
// request (with the root's generation, bumped when the project changes),
// an action its generation, a planning or a stored draft the flow's
// generation. The root (or the flow, for its plannings) drops stale ones.
//
// # Changing it
//
// To add a key to a view, add a key.Binding to the view's keymap (its
// ...Keys struct, built from the one catalog in keys.go, where a new key
// is defined once), handle it in the view's Update, and list it in the
// view's Help: the help screen is generated from the views' Help. Keys
// are per view, so the same key may mean different things in two views.
//
// To add a pane to a view, give the view the state the pane needs, split
// its View's width between the panes, and keep anything the pane loads in
// the snapshot (Snapshot, filled by the loader) so View only renders.
//
// To add a tab, write a model implementing view in its own file, add a
// viewID, a name, its number key (rootKeys.Views), a field on Model, and a
// line in tabs() and resetTabs;
// add its type to shape_test.go's viewTypes and view.go's assertions. An
// overlay also needs an overlayID and a case in overlayView.
package ui
