package review

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/idnr/match"
	"github.com/regmo/regmo/registers"
)

//go:embed assets
var assets embed.FS

var (
	listTmpl = template.Must(template.ParseFS(assets, "assets/list.html"))
	caseTmpl = template.Must(template.ParseFS(assets, "assets/case.html"))
)

// HandlerConfig configures [NewHandler].
type HandlerConfig struct {
	Workbench *Workbench // required
	// Authenticate returns the clerk of a request (the vendor's login:
	// session cookie, client certificate, reverse proxy header). ok ==
	// false answers 401.
	Authenticate func(r *http.Request) (c Clerk, ok bool)
	// CSRFKey keys the CSRF tokens (at least 32 bytes; random per process
	// if empty, which invalidates open forms on restart).
	CSRFKey []byte
	// Logger gets one line per request: method, path, status, clerk ID;
	// never a query, a form or personal data.
	Logger *slog.Logger
}

// Handler is the clerks' web UI: the work list ("/") and the case page
// ("/case?key=..."), decisions as plain forms ("POST /decide"), embedded
// assets ("/static/"). See the package documentation for its security.
type Handler struct {
	cfg HandlerConfig
	log *slog.Logger
	mux *http.ServeMux
}

// NewHandler returns the web UI over a workbench.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	if cfg.Workbench == nil {
		return nil, &InputError{Field: "HandlerConfig.Workbench", Reason: "required"}
	}
	if cfg.Authenticate == nil {
		return nil, &InputError{Field: "HandlerConfig.Authenticate", Reason: "required (authentication is the vendor's)"}
	}
	if len(cfg.CSRFKey) == 0 {
		cfg.CSRFKey = make([]byte, 32)
		_, _ = rand.Read(cfg.CSRFKey)
	} else if len(cfg.CSRFKey) < 32 {
		return nil, &InputError{Field: "HandlerConfig.CSRFKey", Reason: "at least 32 bytes"}
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.mux.HandleFunc("GET /{$}", h.list)
	h.mux.HandleFunc("GET /case", h.casePage)
	h.mux.HandleFunc("POST /decide", h.decide)
	h.mux.HandleFunc("GET /static/{file}", h.static)
	h.clarifyRoutes()
	return h, nil
}

// csp allows only the embedded script and style, no inline code, no
// framing, forms only to this origin.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }

// ServeHTTP authenticates the clerk, sets the security headers on every
// answer and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Pragma", "no-cache")
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	c, ok := h.cfg.Authenticate(r)
	if !ok || strings.TrimSpace(c.ID) == "" {
		http.Error(sw, "Nicht angemeldet.", http.StatusUnauthorized)
	} else {
		h.mux.ServeHTTP(sw, r.WithContext(withClerk(r.Context(), c)))
	}
	h.log.Info("review: request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "clerk", c.ID, "ms", time.Since(start).Milliseconds())
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	f := r.PathValue("file")
	var ct string
	switch f {
	case "app.js":
		ct = "text/javascript; charset=utf-8"
	case "app.css":
		ct = "text/css; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + f)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(b)
}

// fail answers an error as its status, with a German text and no data.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	var ie *InputError
	switch {
	case errors.Is(err, ErrUnauthenticated):
		http.Error(w, "Nicht angemeldet.", http.StatusUnauthorized)
	case errors.Is(err, ErrForbidden):
		http.Error(w, "Keine Berechtigung für diese Aufgabe.", http.StatusForbidden)
	case errors.Is(err, ErrNotFound):
		http.Error(w, "Fall nicht gefunden.", http.StatusNotFound)
	case errors.As(err, &ie):
		http.Error(w, "Ungültige Eingabe: "+ie.Field+" ("+ie.Reason+")", http.StatusBadRequest)
	default:
		h.log.Error("review: internal error", "err", err.Error())
		http.Error(w, "Interner Fehler.", http.StatusInternalServerError)
	}
}

func (h *Handler) csrf(c Clerk) string {
	m := hmac.New(sha256.New, h.cfg.CSRFKey)
	m.Write([]byte("regmo-review-csrf\x00" + c.ID + "\x00" + c.Role + "\x00" + c.Purpose))
	return hex.EncodeToString(m.Sum(nil))
}

type countRow struct {
	Reason, Text string
	N            int
}

type optRow struct {
	Value, Text string
	Selected    bool
}

func parseFilter(q url.Values) (Filter, error) {
	var f Filter
	if s := q.Get("outcome"); s != "" {
		o, err := registers.ParseOutcome(s)
		if err != nil {
			return f, &InputError{Field: "outcome", Reason: "unknown"}
		}
		f.Outcome = o
	}
	f.Reason = q.Get("reason")
	f.Key = registers.Key(q.Get("key"))
	mn, mx := q.Get("min"), q.Get("max")
	if mn != "" || mx != "" {
		f.HasScore, f.MinScore, f.MaxScore = true, -1e9, 1e9
		var err error
		if mn != "" {
			if f.MinScore, err = strconv.ParseFloat(mn, 64); err != nil {
				return f, &InputError{Field: "min", Reason: "not a number"}
			}
		}
		if mx != "" {
			if f.MaxScore, err = strconv.ParseFloat(mx, 64); err != nil {
				return f, &InputError{Field: "max", Reason: "not a number"}
			}
		}
	}
	if len(f.Reason) > 200 || len(f.Key) > 200 {
		return f, &InputError{Field: "filter", Reason: "too long"}
	}
	return f, nil
}

// listParams are the query parameters of the work list that select its
// cases (outcome, reason, score band): the case page and the decision
// forms carry them, so that previous and next follow the list the clerk
// came from. They hold codes and numbers only, no personal data.
var listParams = [...]string{"outcome", "reason", "min", "max"}

// listOf returns the work list's filter from the list parameters of q
// and those parameters to carry in links (the key filter is not carried:
// it selects one case).
func listOf(q url.Values) (Filter, url.Values, error) {
	carry := url.Values{}
	for _, p := range listParams {
		if v := q.Get(p); v != "" {
			carry.Set(p, v)
		}
	}
	f, err := parseFilter(carry)
	return f, carry, err
}

// caseHref links the case page of key under the list parameters carry.
func caseHref(key registers.Key, carry url.Values) string {
	q := url.Values{"key": {string(key)}}
	for p, v := range carry {
		q[p] = v
	}
	return "case?" + q.Encode()
}

// listHref links the work list under the list parameters carry.
func listHref(carry url.Values) string {
	if len(carry) == 0 {
		return "./"
	}
	return "./?" + carry.Encode()
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	c := clerkOf(r.Context())
	q := r.URL.Query()
	f, err := parseFilter(q)
	if err != nil {
		h.fail(w, err)
		return
	}
	cases, next, err := h.cfg.Workbench.List(r.Context(), c, f, registers.Key(q.Get("after")), 50)
	if err != nil {
		h.fail(w, err)
		return
	}
	counts, err := h.cfg.Workbench.Counts(r.Context(), c, Filter{Outcome: f.Outcome, HasScore: f.HasScore, MinScore: f.MinScore, MaxScore: f.MaxScore, Key: f.Key})
	if err != nil {
		h.fail(w, err)
		return
	}
	data := struct {
		Clerk    string
		Total    int
		Counts   []countRow
		Outcomes []optRow
		F        Filter
		Min, Max string
		Cases    []map[string]any
		Next     string
	}{Clerk: clerkName(c), F: f, Min: q.Get("min"), Max: q.Get("max")}
	for reason, n := range counts {
		data.Total += n
		data.Counts = append(data.Counts, countRow{Reason: reason, Text: ReasonGerman(reason), N: n})
	}
	sortCounts(data.Counts)
	for _, o := range []registers.Outcome{registers.Review, registers.NotIdentifiable, registers.Rejected, registers.NoSearch} {
		data.Outcomes = append(data.Outcomes, optRow{Value: o.String(), Text: OutcomeGerman(o), Selected: f.Outcome == o})
	}
	_, carry, _ := listOf(q)
	for _, s := range cases {
		data.Cases = append(data.Cases, map[string]any{"Key": string(s.Key), "Href": caseHref(s.Key, carry), "Outcome": OutcomeGerman(s.Outcome), "Reason": ReasonGerman(s.Reason),
			"Score": strconv.FormatFloat(s.Score, 'f', 1, 64), "Version": s.Version, "Deferred": s.Deferred})
	}
	if next != "" {
		q.Set("after", string(next))
		data.Next = "?" + q.Encode()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := listTmpl.Execute(w, data); err != nil {
		h.log.Error("review: rendering the work list", "err", err.Error())
	}
}

func sortCounts(cs []countRow) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && (cs[j].N > cs[j-1].N || (cs[j].N == cs[j-1].N && cs[j].Reason < cs[j-1].Reason)); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

type fieldRow struct {
	Token, Name, Register, Candidate string
	Diff                             bool
}

type weightRow struct {
	Name, Level, Weight, Text string
}

type historyRow struct {
	Seq                          int
	Kind, Clerk, At, Why, Result string
}

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request) {
	h.renderCase(w, r, registers.Key(r.URL.Query().Get("key")), r.URL.Query().Get("done"), "", http.StatusOK)
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, key registers.Key, done, errText string, status int) {
	c := clerkOf(r.Context())
	if key == "" {
		h.fail(w, &InputError{Field: "key", Reason: "required"})
		return
	}
	// The list the clerk came from: on the case page its parameters are
	// in the URL, after a decision in the form's "list" field.
	lq := r.URL.Query()
	if r.Method == http.MethodPost {
		lq, _ = url.ParseQuery(r.PostForm.Get("list"))
	}
	f, carry, err := listOf(lq)
	if err != nil {
		h.fail(w, err)
		return
	}
	cs, err := h.cfg.Workbench.Open(r.Context(), c, key)
	if err != nil {
		h.fail(w, err)
		return
	}
	prev, next, err := h.cfg.Workbench.Neighbours(r.Context(), c, f, key)
	if err != nil {
		h.fail(w, err)
		return
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	data := map[string]any{
		"Clerk": clerkName(c), "C": cs, "CSRF": h.csrf(c), "DecisionID": hex.EncodeToString(id),
		"Outcome": OutcomeGerman(cs.Outcome), "Reason": ReasonGerman(cs.Reason), "Err": errText,
		"CanMerge": cs.Reason == registers.ReasonIDNrAssigned && cs.Holder != "" && cs.Holder != cs.Key,
		"Score":    strconv.FormatFloat(cs.Compared.Score, 'f', 1, 64), "Accept": strconv.FormatFloat(cs.AcceptThreshold, 'f', 1, 64),
		"RejectBelow": strconv.FormatFloat(cs.RejectBelow, 'f', 1, 64), "HasCompare": cs.HasCandidate,
		"List": carry.Encode(), "ListHref": listHref(carry),
	}
	if done != "" {
		if k, err := ParseKind(done); err == nil {
			data["Msg"] = "Entschieden: " + k.German()
		}
	}
	if prev != "" {
		data["Prev"], data["PrevHref"] = string(prev), caseHref(prev, carry)
	}
	if next != "" {
		data["Next"], data["NextHref"] = string(next), caseHref(next, carry)
	}
	if cs.Holder != "" {
		data["HolderHref"] = caseHref(cs.Holder, carry)
	}
	var rows []fieldRow
	for _, col := range cs.Columns {
		rows = append(rows, fieldRow{Token: col.Token, Name: ColumnGerman(col.Token), Register: col.Register, Candidate: col.Candidate,
			Diff: cs.HasCandidate && col.Register != col.Candidate})
	}
	data["Rows"] = rows
	var fields []weightRow
	for _, rs := range cs.FieldRows() {
		fields = append(fields, weightRow{Name: rs.Field.German(), Level: rs.Level.German(), Weight: strconv.FormatFloat(rs.Weight, 'f', 1, 64), Text: rs.Text()})
	}
	data["Fields"] = fields
	if cs.HasCandidate {
		data["Waterfall"] = Waterfall(cs.FieldRows(), cs.AcceptThreshold, cs.RejectBelow)
	}
	var hist []historyRow
	for _, d := range cs.History {
		why := d.Reason
		if d.Note != "" {
			why = strings.TrimSpace(why + " " + d.Note)
		}
		if len(d.Corrected) > 0 {
			names := make([]string, len(d.Corrected))
			for i, t := range d.Corrected {
				names[i] = ColumnGerman(t)
			}
			why = strings.TrimSpace(why + " korrigiert: " + strings.Join(names, ", "))
		}
		res := OutcomeGerman(d.Outcome)
		if d.ResultReason != "" {
			res += " (" + ReasonGerman(d.ResultReason) + ")"
		}
		if d.Holder != "" {
			res += ", Dublette von " + string(d.Holder)
		}
		hist = append(hist, historyRow{Seq: d.Seq, Kind: d.Kind.German(), Clerk: d.Clerk, At: d.At.Format("02.01.2006 15:04:05"), Why: why, Result: res})
	}
	data["History"] = hist
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := caseTmpl.Execute(w, data); err != nil {
		h.log.Error("review: rendering a case", "err", err.Error())
	}
}

const maxForm = 64 << 10

func (h *Handler) decide(w http.ResponseWriter, r *http.Request) {
	c := clerkOf(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Ungültiges Formular.", http.StatusBadRequest)
		return
	}
	tok := r.PostForm.Get("csrf")
	if tok == "" || !hmac.Equal([]byte(tok), []byte(h.csrf(c))) {
		http.Error(w, "Formular abgelaufen oder nicht von dieser Anwendung (CSRF-Schutz).", http.StatusForbidden)
		return
	}
	kind, err := ParseKind(r.PostForm.Get("kind"))
	if err != nil {
		h.fail(w, err)
		return
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		h.fail(w, &InputError{Field: "version", Reason: "not a number"})
		return
	}
	d := Decision{ID: r.PostForm.Get("id"), Key: registers.Key(r.PostForm.Get("key")), Kind: kind, Version: version,
		Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("note")}
	if kind == SearchAgain {
		d.Texts = map[string]string{}
		for k, v := range r.PostForm {
			if t, ok := strings.CutPrefix(k, "t_"); ok && len(v) > 0 {
				d.Texts[t] = v[0]
			}
		}
	}
	out, err := h.cfg.Workbench.Decide(r.Context(), c, d)
	var ce *ConflictError
	var he *IDNrHeldError
	var ie *InputError
	switch {
	case err == nil:
	case errors.As(err, &ce):
		h.renderCase(w, r, d.Key, "", "Ein anderer Sachbearbeiter hat diesen Fall inzwischen entschieden; bitte prüfen Sie den aktuellen Stand.", http.StatusConflict)
		return
	case errors.As(err, &he):
		h.renderCase(w, r, d.Key, "", "Übernahme nicht möglich: die IDNr ist bereits Datensatz "+string(he.Holder)+" zugeordnet.", http.StatusConflict)
		return
	case errors.Is(err, ErrNotOpen):
		h.renderCase(w, r, d.Key, "", "Der Fall ist bereits erledigt.", http.StatusConflict)
		return
	case errors.As(err, &ie) && !errors.Is(err, ErrForbidden):
		h.renderCase(w, r, d.Key, "", "Bitte prüfen: "+ColumnGerman(ie.Field)+" – "+ie.Reason, http.StatusUnprocessableEntity)
		return
	default:
		h.fail(w, err)
		return
	}
	// Post/redirect/get: to the next open case after this one in the list
	// the clerk came from, or back to this case when it is still open
	// (defer, a search that found new evidence), or to the work list.
	lq, _ := url.ParseQuery(r.PostForm.Get("list"))
	f, carry, err := listOf(lq)
	if err != nil {
		h.fail(w, err)
		return
	}
	target := caseHref(d.Key, carry) + "&done=" + out.Kind.String()
	if out.Kind != Defer && !(out.Kind == SearchAgain && out.Outcome != registers.Accepted) {
		next, _, err := h.cfg.Workbench.List(r.Context(), c, f, d.Key, 1)
		switch {
		case err != nil:
			h.fail(w, err)
			return
		case len(next) == 1:
			target = caseHref(next[0].Key, carry) + "&done=" + out.Kind.String()
		default:
			target = listHref(carry)
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// Waterfall draws the field weights as an SVG waterfall chart (in the
// manner of Splink's): one bar per compared field from the running sum,
// green for evidence for, red against, the total last, with the
// thresholds as lines. It holds no personal data.
func Waterfall(rs []match.Reason, accept, rejectBelow float64) template.HTML {
	const rowH, left, width = 22, 170, 360
	lo, hi, sum := 0.0, 0.0, 0.0
	for _, r := range rs {
		sum += r.Weight
		lo, hi = min(lo, sum), max(hi, sum)
	}
	lo, hi = min(lo, rejectBelow, 0)-2, max(hi, accept)+2
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*width }
	n := len(rs) + 1
	height := rowH*n + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="waterfall" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="Wasserfalldiagramm der Feldgewichte">`, left+width+60, height)
	cum := 0.0
	for i, r := range rs {
		a, z := x(cum), x(cum+r.Weight)
		color := "#3a8d3a"
		if r.Weight < 0 {
			color = "#c0392b"
			a, z = z, a
		}
		y := i*rowH + 5
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text><rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/><text x="%.1f" y="%d">%+.1f</text>`,
			y+14, template.HTMLEscapeString(r.Field.German()), a, y, max(z-a, 1), rowH-6, color, max(a, z)+4, y+14, r.Weight)
		cum += r.Weight
	}
	y := len(rs)*rowH + 5
	fmt.Fprintf(&b, `<text x="0" y="%d" font-weight="bold">Gesamt</text><rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#24415f"/><text x="%.1f" y="%d">%.1f</text>`,
		y+14, min(x(0), x(cum)), y, max(abs(x(cum)-x(0)), 1), rowH-6, max(x(0), x(cum))+4, y+14, cum)
	for _, t := range []struct {
		v     float64
		label string
		color string
	}{{accept, "Übernahme", "#3a8d3a"}, {rejectBelow, "Ablehnung", "#c0392b"}} {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="0" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4 3"/><text x="%.1f" y="%d" fill="%s">%s %.1f</text>`,
			x(t.v), x(t.v), n*rowH+5, t.color, x(t.v)-20, n*rowH+22, t.color, t.label, t.v)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func clerkName(c Clerk) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

// OutcomeGerman names an outcome for the clerk.
func OutcomeGerman(o registers.Outcome) string {
	switch o {
	case registers.Accepted:
		return "IDNr übernommen"
	case registers.Review:
		return "Prüfen"
	case registers.NotIdentifiable:
		return "Nicht identifizierbar"
	case registers.Rejected:
		return "Abgelehnt"
	case registers.NoSearch:
		return "Keine zulässige Suche möglich"
	case registers.OutcomePending:
		return "Offen"
	}
	return o.String()
}

// ReasonGerman explains a reason code for the clerk.
func ReasonGerman(code string) string {
	head, rest, _ := strings.Cut(code, ":")
	switch {
	case code == "":
		return "–"
	case head == registers.ReasonIDNrAssigned:
		return registers.IDNrAssignedText
	case head == registers.ReasonMatchReview:
		return "Abgleich unsicher, bitte prüfen" + holdGerman(rest)
	case head == registers.ReasonMatchReject:
		return "Abgleich: wohl eine andere Person" + holdGerman(rest)
	case head == registers.ReasonNotIdentifiable:
		return "Die Person wurde nicht eindeutig gefunden"
	case head == registers.ReasonNoDataTransferred:
		return "Keine Daten übermittelt"
	case strings.HasPrefix(head, "inaccuracy_") || head == registers.ReasonBVAClarification:
		return inaccuracyGerman(head, rest)
	case head == "answer_refused":
		return "Antwort zurückgewiesen (passt nicht zur Anfrage): " + ColumnGerman(rest)
	case strings.HasPrefix(head, "no_") || head == "birth_date_invalid":
		return "Keine zulässige Suche möglich (" + code + ")"
	}
	return code
}

func holdGerman(rest string) string {
	if rest == "" {
		return ""
	}
	return " (" + rest + ")"
}

var partGerman = map[string]string{
	"birth_place": "Geburtsort", "birth_country": "Geburtsstaat", "street": "Straße", "house_number": "Hausnummer",
	"address_supplement": "Adresszusatz", "postal_code": "Postleitzahl", "city": "Wohnort", "municipality_key": "Gemeindeschlüssel",
	"country": "Staat", "texts": "Korrektur", "reason": "Begründung", "note": "Notiz", "kind": "Entscheidung",
}

// ColumnGerman names a column token (a field's token or a part of the
// birth place or the address) in German.
func ColumnGerman(token string) string {
	if s, ok := partGerman[token]; ok {
		return s
	}
	if f, ok := idnr.ParseField(token); ok {
		return f.German()
	}
	return token
}
