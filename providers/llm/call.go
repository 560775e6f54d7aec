package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"marcus/core"
)

// Operations, as recorded in core.LLMCall.Operation ("expand" is followed
// by ":<feature name>").
const (
	operationAnalyze = "analyze"
	operationExpand  = "expand"
)

// Retry timing: exponential backoff from backoffBase, capped, with jitter;
// a server's Retry-After is honoured up to retryAfterCap.
const (
	backoffBase   = 500 * time.Millisecond
	backoffCap    = 10 * time.Second
	retryAfterCap = 60 * time.Second
)

// failedAttempt is the verdict on one call that got no usable answer.
type failedAttempt struct {
	outcome string
	retry   bool
	// wait is what the server asked for (Retry-After); hasWait says it did.
	wait    time.Duration
	hasWait bool
	// err is the error to return if this attempt is the last one.
	err error
}

// converse runs one operation: it sends the conversation, retries what is
// worth retrying, asks once for a repair when the answer cannot be used,
// and records every attempt. decode reads a reply's text; its error is
// quoted back to the model in the repair turn.
func (p *modelPlanner) converse(ctx context.Context, req core.PlanRequest, op, system, prompt string, decode func(string) error) error {
	msgs := []chatMessage{{Role: roleUser, Text: prompt}}
	failures, repaired := 0, false
	for {
		if err := ctx.Err(); err != nil {
			return p.stopped(err)
		}
		start := time.Now()
		rep, timedOut, err := p.attempt(ctx, system, msgs)
		latency := time.Since(start)
		if err != nil {
			fa := p.classify(ctx, err, timedOut)
			p.record(req, op, start, latency, chatReply{}, fa.outcome, fa.err)
			if ctx.Err() != nil {
				return p.stopped(ctx.Err())
			}
			if !fa.retry {
				return fa.err
			}
			if failures++; failures > p.cfg.MaxRetries {
				return p.gaveUp(failures, fa.err)
			}
			if err := p.cfg.Wait(ctx, retryDelay(fa, failures)); err != nil {
				return p.stopped(err)
			}
			continue
		}
		if rep.Refusal != "" {
			err := core.Errorf(core.ErrInvalid, "the %s model declined to plan this description (%s): reword it, or use another model (%s)",
				p.Name(), clipText(rep.Refusal, 300), modelHint)
			p.record(req, op, start, latency, rep, core.OutcomeRefused, err)
			return err
		}
		perr := usableReply(rep, decode)
		if perr == nil {
			p.record(req, op, start, latency, rep, core.OutcomeOK, nil)
			return nil
		}
		p.record(req, op, start, latency, rep, core.OutcomeBadOutput, perr)
		if repaired {
			return p.unparsable(perr)
		}
		repaired = true
		msgs = append(msgs,
			chatMessage{Role: roleAssistant, Text: cmp.Or(rep.Text, "(empty reply)")},
			chatMessage{Role: roleUser, Text: repairPrompt(perr)})
	}
}

// attempt makes one call, bounded by the per-call timeout; timedOut says
// that the timeout, not the caller, ended it.
func (p *modelPlanner) attempt(ctx context.Context, system string, msgs []chatMessage) (rep chatReply, timedOut bool, err error) {
	actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	rep, err = p.backend.chat(actx, system, msgs)
	timedOut = err != nil && ctx.Err() == nil && actx.Err() != nil
	return rep, timedOut, err
}

// usableReply says why a reply cannot be used, or decodes it.
func usableReply(rep chatReply, decode func(string) error) error {
	if rep.Truncated {
		return fmt.Errorf("%w: the reply reached the token limit", errTruncated)
	}
	return decode(rep.Text)
}

// classify decides what a failed call means and whether to try again.
func (p *modelPlanner) classify(ctx context.Context, err error, timedOut bool) failedAttempt {
	if ctx.Err() != nil {
		return failedAttempt{outcome: core.OutcomeCanceled, err: p.stopped(ctx.Err())}
	}
	if f, ok := p.backend.failure(err); ok {
		return p.classifyStatus(f)
	}
	if timedOut || errors.Is(err, context.DeadlineExceeded) {
		return failedAttempt{outcome: core.OutcomeTimeout, retry: true, err: core.Errorf(core.ErrUnavailable,
			"the %s API did not answer within %s: raise %s, or try again later", p.provider, p.cfg.Timeout, timeoutHint)}
	}
	if isConnectionError(err) {
		return failedAttempt{outcome: core.OutcomeError, retry: true, err: core.Wrap(core.ErrUnavailable, err,
			"cannot reach the %s API at %s: check the network and %s", p.provider, p.baseURL, baseURLHint)}
	}
	return failedAttempt{outcome: core.OutcomeError, err: core.Wrap(core.ErrUnavailable, err,
		"the call to the %s API failed", p.provider)}
}

// classifyStatus reads an HTTP error answer.
func (p *modelPlanner) classifyStatus(f apiFailure) failedAttempt {
	what := statusText(f)
	switch {
	case f.RetryNow:
		return failedAttempt{outcome: core.OutcomeError, retry: true, hasWait: true, err: core.Errorf(core.ErrInvalid,
			"the %s server refused JSON mode (%s); marcus asks again without it", p.provider, what)}
	case f.Status == http.StatusTooManyRequests:
		wait, ok := parseRetryAfter(f.Header, time.Now())
		return failedAttempt{outcome: core.OutcomeRateLimited, retry: true, wait: wait, hasWait: ok, err: core.Errorf(core.ErrUnavailable,
			"the %s API is rate limiting marcus (%s): wait a minute and try again", p.provider, what)}
	case f.Status == http.StatusUnauthorized || f.Status == http.StatusForbidden:
		return failedAttempt{outcome: core.OutcomeRefused, err: core.Errorf(core.ErrInvalid,
			"the %s API refused the key (%s): check %s", p.provider, what, p.keyHint)}
	case f.Status == http.StatusNotFound:
		return failedAttempt{outcome: core.OutcomeRefused, err: core.Errorf(core.ErrInvalid,
			"the %s API could not find what marcus asked for (%s): the model %q or the base URL %s is wrong: check %s and %s%s",
			p.provider, what, p.model, p.baseURL, modelHint, baseURLHint, p.notFoundTip())}
	case f.Status == http.StatusRequestTimeout || f.Status >= 500:
		return failedAttempt{outcome: core.OutcomeServerError, retry: true, err: core.Errorf(core.ErrUnavailable,
			"the %s API failed (%s): try again later", p.provider, what)}
	}
	return failedAttempt{outcome: core.OutcomeError, err: core.Errorf(core.ErrInvalid,
		"the %s API rejected the request (%s): check %s and %s", p.provider, what, modelHint, maxTokensHint)}
}

func (p *modelPlanner) notFoundTip() string {
	if p.provider == ProviderOpenAI && !strings.Contains(p.baseURL, "/v1") {
		return " (OpenAI-compatible servers usually serve under /v1, e.g. http://localhost:11434/v1)"
	}
	return ""
}

// statusText is "503 Service Unavailable: <the API's message>".
func statusText(f apiFailure) string {
	s := strconv.Itoa(f.Status)
	if t := http.StatusText(f.Status); t != "" {
		s += " " + t
	}
	if m := strings.TrimSpace(f.Message); m != "" && !strings.EqualFold(m, http.StatusText(f.Status)) {
		s += ": " + clipText(m, 300)
	}
	return s
}

// isConnectionError reports failures to reach the server or to read its
// answer: worth another attempt.
func isConnectionError(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// retryDelay is how long to wait before attempt number failures+1.
func retryDelay(fa failedAttempt, failures int) time.Duration {
	if fa.hasWait {
		return min(max(fa.wait, 0), retryAfterCap)
	}
	return retryBackoff(failures)
}

// retryBackoff doubles from backoffBase per failure up to backoffCap, and picks a
// random point in the upper half so that concurrent expands spread out.
func retryBackoff(failures int) time.Duration {
	d := backoffCap
	if failures < 16 {
		d = min(backoffBase<<max(failures-1, 0), backoffCap)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads Retry-After (seconds or an HTTP date) or OpenAI's
// retry-after-ms. ok is false when the server named no wait.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e12 {
			return min(time.Duration(ms*float64(time.Millisecond)), retryAfterCap), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s != s {
			return 0, false
		}
		return min(time.Duration(min(s, retryAfterCap.Seconds())*float64(time.Second)), retryAfterCap), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), retryAfterCap), true
	}
	return 0, false
}

// record reports one attempt to req.Record, when there is one.
func (p *modelPlanner) record(req core.PlanRequest, op string, start time.Time, latency time.Duration, rep chatReply, outcome string, err error) {
	if req.Record == nil {
		return
	}
	c := core.LLMCall{
		At: start, Provider: p.provider, Model: p.model, Operation: op,
		InputTokens: rep.InputTokens, OutputTokens: rep.OutputTokens,
		Latency: latency, Outcome: outcome,
		CostUSD: p.cost(rep.InputTokens, rep.OutputTokens),
	}
	if err != nil {
		c.Error = err.Error()
	}
	req.Record(c)
}

// stopped is the error for a caller that went away; errors.Is finds the
// context's error in it.
func (p *modelPlanner) stopped(err error) error {
	return core.Wrap(core.ErrUnavailable, err, "planning with %s stopped", p.Name())
}

func (p *modelPlanner) gaveUp(attempts int, last error) error {
	return core.Wrap(core.ErrUnavailable, last, "planning with %s failed after %d attempts", p.Name(), attempts)
}

// unparsable is the error when even the repaired answer was unusable.
func (p *modelPlanner) unparsable(perr error) error {
	if errors.Is(perr, errTruncated) {
		return core.Errorf(core.ErrUnavailable,
			"the %s model's output was truncated twice (%v): raise %s (now %d), or ask for a smaller plan",
			p.Name(), perr, maxTokensHint, p.cfg.MaxTokens)
	}
	return core.Errorf(core.ErrUnavailable,
		"the %s model's output could not be parsed as a plan (%v), even after it was shown the error: try again, or use another model (%s)",
		p.Name(), perr, modelHint)
}

// clipText shortens s to at most n bytes, on a rune boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
