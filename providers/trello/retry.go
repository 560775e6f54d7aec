package trello

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/adlio/trello"

	"marcus/core"
)

// DefaultRetryFor is how long a one-shot sync keeps trying through
// Trello's transient failures by default: several times a blip (a deploy,
// a load balancer swap, Trello's 10 s rate-limit window: six retries,
// after waits of 1, 2, 4, 8, 15 and 15 s, fit in it), short enough that a
// sync run from cron every few minutes has given up before the next one
// starts.
const DefaultRetryFor = time.Minute

// Retry says how a one-shot sync rides through Trello's transient
// failures: a 5xx, a 429 or no answer (refused, reset, timed out).
type Retry struct {
	// For bounds the retrying: no new try starts later than For after the
	// first failure, and a wait that would end past it is not begun. 0
	// fails at the first failure.
	For time.Duration
	// Backoff is the first wait (default 1s); each later one doubles, up to
	// MaxBackoff (default 15s). A 429's Retry-After wins when it is longer.
	Backoff, MaxBackoff time.Duration
	// OnRetry, when set, hears each failure that is retried and the wait
	// before the next try.
	OnRetry func(err error, wait time.Duration)
}

// Transient reports whether err is a failure that may pass within a run
// (5xx, 429, no answer), and how long Trello asked to wait. Refused
// credentials (401) and every other 4xx are not: trying again soon gets
// the same answer.
func Transient(err error) (bool, time.Duration) {
	var e *Error
	if errors.As(err, &e) && e.Retry {
		return true, e.RetryAfter
	}
	return false, 0
}

// SyncRetrying syncs once, as Sync does, and tries again through transient
// failures for r.For. Each try resumes at the board's cursor, which is
// stored after every delivery, so nothing delivered is delivered again;
// the one delivery whose answer was lost is checked on the board before it
// is sent again. When the failures outlast r.For it returns the last one,
// the error a single Sync would have returned; a permanent failure returns
// at once.
func (s *Syncer) SyncRetrying(ctx context.Context, r Retry) error {
	backoff, most := r.Backoff, r.MaxBackoff
	if backoff <= 0 {
		backoff = time.Second
	}
	if most <= 0 {
		most = 15 * time.Second
	}
	var giveUp time.Time
	for {
		err := s.Sync(ctx)
		transient, after := Transient(err)
		if err == nil || !transient || ctx.Err() != nil {
			return err
		}
		if giveUp.IsZero() {
			giveUp = time.Now().Add(r.For)
		}
		wait := max(backoff, after)
		if time.Now().Add(wait).After(giveUp) {
			return err
		}
		if r.OnRetry != nil {
			r.OnRetry(err, wait)
		}
		if !sleep(ctx, wait) {
			return err
		}
		backoff = min(backoff*2, most)
	}
}

// sleep waits d, or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// answerLost reports whether a call failed with no answer: the request may
// have reached Trello and taken effect.
func answerLost(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 0
}

// comment posts an event's comment on a card. A comment whose answer was
// lost may be on the card already: before sending it again, the card's
// newest comment by marcus is read, and a comment with the same text
// there counts as delivered. Only that one event is checked, so the
// common path costs one request.
func (s *Syncer) comment(ctx context.Context, m *core.Mirror, card string, ev int64, text string) error {
	if s.unsure == ev {
		on, err := s.lastComment(ctx, m, card)
		if err != nil {
			return err
		}
		if on == text {
			s.unsure = 0
			return nil
		}
	}
	err := s.client.do(ctx, func(api *trello.Client) error {
		var out struct{ ID string }
		return api.Post("cards/"+card+"/actions/comments", trello.Arguments{"text": text}, &out)
	})
	switch {
	case answerLost(err):
		s.unsure = ev
	case err == nil:
		s.unsure = 0
	}
	return err
}

// lastComment is the text of marcus's newest comment among a card's
// latest few ("" for none): a person's comments since do not hide it.
func (s *Syncer) lastComment(ctx context.Context, m *core.Mirror, card string) (string, error) {
	var acts []struct {
		IDMemberCreator string `json:"idMemberCreator"`
		Data            struct {
			Text string `json:"text"`
		} `json:"data"`
	}
	err := s.client.do(ctx, func(api *trello.Client) error {
		return api.Get("cards/"+card+"/actions", trello.Arguments{"filter": "commentCard", "limit": "20"}, &acts)
	})
	if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
		return "", nil // the card is gone: deliver treats the post's 404
	}
	if err != nil {
		return "", err
	}
	for _, a := range acts {
		if a.IDMemberCreator == m.State["me"] {
			return a.Data.Text, nil
		}
	}
	return "", nil
}
