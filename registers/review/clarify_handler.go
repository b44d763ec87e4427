package review

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/regmo/regmo/ida"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
)

// The clerks' pages for the BVA's clarification requests (§ 10 Abs. 5
// IDNrG): the list ("/klaerungen"), one request ("/klaerung?ref=...") and
// its decisions ("POST /klaerung"), with the same authentication, CSRF
// protection and headers as the case pages.

var (
	clarifyListTmpl = template.Must(template.ParseFS(assets, "assets/clarify_list.html"))
	clarifyTmpl     = template.Must(template.ParseFS(assets, "assets/clarify.html"))
)

func (h *Handler) clarifyRoutes() {
	h.mux.HandleFunc("GET /klaerungen", h.clarifyList)
	h.mux.HandleFunc("GET /klaerung", h.clarifyPage)
	h.mux.HandleFunc("POST /klaerung", h.clarifyDecide)
}

// ClarificationReasonGerman explains a clarification request's reason code.
func ClarificationReasonGerman(code string) string {
	switch code {
	case "deviation-reported":
		return "Eine andere Stelle hat eine Unrichtigkeit gemeldet"
	case "data-conflict":
		return "Widersprüchliche Daten beim BZSt"
	case "duplicate-suspected":
		return "Verdacht auf eine zweite IDNr"
	case "death-unconfirmed":
		return "Sterbefall ohne bestätigtes Datum"
	case "identity-unclear":
		return "Identität unklar"
	}
	return "Sonstiger Grund (" + code + ")"
}

// inaccuracyGerman explains sync's and the intake's reason codes.
func inaccuracyGerman(head, rest string) string {
	fields := ColumnGerman(rest)
	if strings.Contains(rest, "+") {
		parts := strings.Split(rest, "+")
		for i, p := range parts {
			parts[i] = ColumnGerman(p)
		}
		fields = strings.Join(parts, ", ")
	}
	switch head {
	case registers.ReasonInaccuracyReported:
		return "Unrichtigkeit mit Nachweis an das BVA gemeldet: " + fields
	case registers.ReasonInaccuracySuspected:
		return "Unrichtigkeit vermutet (nicht gemeldet): " + fields
	case registers.ReasonInaccuracyNoEvidence:
		return "Abweichung in geprüften Feldern ohne Nachweisangaben, bitte klären: " + fields
	case registers.ReasonBVAClarification:
		return "Klärungsersuchen des BVA (§ 10 Abs. 5 IDNrG)"
	}
	return head
}

func germanFields(f idnr.Fields) string {
	var names []string
	for x := range f.All() {
		names = append(names, x.German())
	}
	return strings.Join(names, ", ")
}

func (h *Handler) clarifyList(w http.ResponseWriter, r *http.Request) {
	c := clerkOf(r.Context())
	q := r.URL.Query()
	after := q.Get("after")
	if len(after) > 64 {
		h.fail(w, &InputError{Field: "after", Reason: "too long"})
		return
	}
	items, next, err := h.cfg.Workbench.Clarifications(r.Context(), c, after, 50)
	if err != nil {
		h.fail(w, err)
		return
	}
	data := map[string]any{"Clerk": clerkName(c)}
	var rows []map[string]any
	for _, s := range items {
		rows = append(rows, map[string]any{"Ref": s.Reference, "Key": string(s.Key), "Fields": germanFields(s.Fields),
			"Reason": ClarificationReasonGerman(s.Reason), "Issued": s.Issued.Format("02.01.2006"), "Version": s.Version, "Deferred": s.Deferred})
	}
	data["Items"] = rows
	if next != "" {
		data["Next"] = "klaerungen?after=" + url.QueryEscape(next)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := clarifyListTmpl.Execute(w, data); err != nil {
		h.log.Error("review: rendering the clarification list", "err", err.Error())
	}
}

func (h *Handler) clarifyPage(w http.ResponseWriter, r *http.Request) {
	h.renderClarify(w, r, r.URL.Query().Get("ref"), r.URL.Query().Get("done"), "", http.StatusOK)
}

type clarifyRow struct {
	Token, Name, Register string
	Asked                 bool
}

func (h *Handler) renderClarify(w http.ResponseWriter, r *http.Request, ref, done, errText string, status int) {
	c := clerkOf(r.Context())
	if ref == "" || len(ref) > 64 {
		h.fail(w, &InputError{Field: "ref", Reason: "required, at most 64 characters"})
		return
	}
	st, err := h.cfg.Workbench.OpenClarification(r.Context(), c, ref)
	if err != nil {
		h.fail(w, err)
		return
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	data := map[string]any{
		"Clerk": clerkName(c), "C": st, "CSRF": h.csrf(c), "DecisionID": hex.EncodeToString(id), "Err": errText,
		"Reason": ClarificationReasonGerman(st.Reason), "Issued": st.Issued.Format("02.01.2006 15:04"),
		"State": st.State.German(), "Open": st.State == ClarificationOpen,
	}
	if k, err := ParseClarifyKind(done); err == nil {
		data["Msg"] = "Entschieden: " + k.German()
	}
	var rows, asked []clarifyRow
	seen := map[idnr.Fields]bool{}
	for _, col := range st.Columns {
		row := clarifyRow{Token: col.Token, Name: ColumnGerman(col.Token), Register: col.Register, Asked: st.Fields.Has(col.Field)}
		rows = append(rows, row)
		if row.Asked && !seen[col.Field] {
			seen[col.Field] = true
			asked = append(asked, clarifyRow{Token: col.Field.Token(), Name: col.Field.German()})
		}
	}
	for f := range st.Fields.All() { // asked for, but not kept by the register
		if !seen[f] {
			asked = append(asked, clarifyRow{Token: f.Token(), Name: f.German()})
		}
	}
	data["Rows"], data["Asked"] = rows, asked
	var docs []optRow
	for _, k := range ida.DocumentKinds() {
		docs = append(docs, optRow{Value: k.String(), Text: k.German()})
	}
	data["Docs"] = docs
	var hist []historyRow
	for _, d := range st.History {
		why := strings.TrimSpace(d.Reason + " " + d.Note)
		for _, e := range d.Evidence {
			why = strings.TrimSpace(why + " " + e.Kind.German() + " " + e.Reference + " (" + germanFields(e.Fields) + ")")
		}
		hist = append(hist, historyRow{Seq: d.Seq, Kind: d.Kind.German(), Clerk: d.Clerk, At: d.At.Format("02.01.2006 15:04:05"), Why: why})
	}
	data["History"] = hist
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := clarifyTmpl.Execute(w, data); err != nil {
		h.log.Error("review: rendering a clarification request", "err", err.Error())
	}
}

func (h *Handler) clarifyDecide(w http.ResponseWriter, r *http.Request) {
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
	kind, err := ParseClarifyKind(r.PostForm.Get("kind"))
	if err != nil {
		h.fail(w, err)
		return
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		h.fail(w, &InputError{Field: "version", Reason: "not a number"})
		return
	}
	ref := r.PostForm.Get("ref")
	d := ClarificationDecision{ID: r.PostForm.Get("id"), Reference: ref, Kind: kind, Version: version,
		Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("note")}
	if kind == ClarifyReply {
		e, ierr := evidenceOfForm(r.PostForm)
		if ierr != nil {
			h.renderClarify(w, r, ref, "", "Bitte prüfen: "+ierr.Field+" – "+ierr.Reason, http.StatusUnprocessableEntity)
			return
		}
		d.Evidence = []ida.Evidence{e}
	}
	_, _, err = h.cfg.Workbench.DecideClarification(r.Context(), c, d)
	var ce *ConflictError
	var ie *InputError
	switch {
	case err == nil:
	case errors.As(err, &ce):
		h.renderClarify(w, r, ref, "", "Ein anderer Sachbearbeiter hat dieses Ersuchen inzwischen entschieden; bitte prüfen Sie den aktuellen Stand.", http.StatusConflict)
		return
	case errors.Is(err, ErrNotOpen):
		h.renderClarify(w, r, ref, "", "Das Ersuchen ist bereits beantwortet.", http.StatusConflict)
		return
	case errors.As(err, &ie) && !errors.Is(err, ErrForbidden):
		h.renderClarify(w, r, ref, "", "Bitte prüfen: "+evidenceFieldGerman(ie.Field)+" – "+ie.Reason, http.StatusUnprocessableEntity)
		return
	default:
		h.fail(w, err)
		return
	}
	http.Redirect(w, r, "klaerung?ref="+url.QueryEscape(ref)+"&done="+kind.String(), http.StatusSeeOther)
}

// evidenceOfForm reads the one evidence item of the reply form.
func evidenceOfForm(f url.Values) (ida.Evidence, *InputError) {
	var e ida.Evidence
	for k := range f {
		if t, ok := strings.CutPrefix(k, "f_"); ok {
			x, ok := idnr.ParseField(t)
			if !ok {
				return e, &InputError{Field: "Belegte Felder", Reason: "unbekanntes Feld"}
			}
			e.Fields |= x
		}
	}
	k, ok := ida.ParseDocumentKind(f.Get("doc"))
	if !ok {
		return e, &InputError{Field: "Dokument", Reason: "unbekannte Art"}
	}
	e.Kind = k
	e.KindText = strings.TrimSpace(f.Get("doc_text"))
	if k != ida.DocOther {
		e.KindText = ""
	}
	e.Reference = strings.TrimSpace(f.Get("doc_ref"))
	e.Authority = strings.TrimSpace(f.Get("doc_authority"))
	if s := strings.TrimSpace(f.Get("doc_date")); s != "" {
		d, err := idnr.ParseDate(s)
		if err != nil {
			return e, &InputError{Field: "Ausstellungsdatum", Reason: "kein Datum"}
		}
		e.Date = d
	}
	return e, nil
}

// evidenceFieldGerman names a field of the reply for the clerk.
func evidenceFieldGerman(f string) string {
	f = strings.TrimPrefix(f, "Evidence[0].")
	switch f {
	case "Fields", "Evidence":
		return "Belegte Felder"
	case "Kind":
		return "Dokument"
	case "KindText":
		return "Bezeichnung"
	case "Reference":
		return "Nummer oder Aktenzeichen"
	case "Date":
		return "Ausstellungsdatum"
	case "Authority":
		return "Ausstellende Behörde"
	case "reason", "Reason":
		return "Begründung"
	}
	return ColumnGerman(f)
}
