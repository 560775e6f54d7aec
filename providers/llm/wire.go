package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The two APIs marcus calls are one JSON POST each, so marcus speaks them
// over net/http itself: the vendors' SDKs cost more to compile than the
// rest of marcus together, for one endpoint each.

// maxReplyBytes bounds what is read of an answer: a plan of the largest
// max_tokens is well under a megabyte.
const maxReplyBytes = 16 << 20

// userAgent names marcus to the APIs.
const userAgent = "marcus"

// apiError is an API's answer with an error status.
type apiError struct {
	Method, URL string
	Status      int
	Header      http.Header
	// Message, Type and Param come from the error body when the API sent
	// one; Body is that body as received (clipped).
	Message, Type, Param string
	Body                 string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// endpoint joins an API path to a base URL, keeping the base's own path
// ("http://localhost:11434/v1" + "chat/completions") and query.
func endpoint(base, path string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + path
	u.RawPath = ""
	return u.String(), nil
}

// postJSON sends in as JSON to target with the given headers and decodes
// a 2xx answer into out. An error status is an *apiError; a failure to
// connect or to read the answer is the transport's error, as is.
func postJSON(ctx context.Context, client *http.Client, target string, header http.Header, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxReplyBytes+1))
	if err != nil {
		return err
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return newAPIError(req, res, raw)
	}
	if len(raw) > maxReplyBytes {
		return fmt.Errorf("the answer from %s is over %d MB", target, maxReplyBytes>>20)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the answer from %s is not the JSON of a chat reply (%w): %s", target, err, clipText(string(raw), 200))
	}
	return nil
}

// newAPIError reads an error answer. Both APIs send {"error": {"message",
// "type", ...}}; some OpenAI-compatible servers (Ollama) send {"error":
// "text"}; a proxy may send anything.
func newAPIError(req *http.Request, res *http.Response, raw []byte) *apiError {
	e := &apiError{Method: req.Method, URL: req.URL.Redacted(), Status: res.StatusCode, Header: res.Header,
		Body: clipText(string(raw), 2000)}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &body) != nil || len(body.Error) == 0 {
		return e
	}
	var text string
	if json.Unmarshal(body.Error, &text) == nil {
		e.Message = text
		return e
	}
	var obj struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Param   any    `json:"param"`
	}
	if json.Unmarshal(body.Error, &obj) == nil {
		e.Message, e.Type = obj.Message, obj.Type
		if obj.Param != nil {
			e.Param = fmt.Sprint(obj.Param)
		}
	}
	return e
}
