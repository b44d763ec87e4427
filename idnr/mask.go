package idnr

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
)

// Masking beyond direct values.
//
// fmt calls [IDNr.Format], [Date.Format] and [Person.Format] for values
// nested anywhere it can reach them, and log/slog calls LogValue on a value
// it is given directly. slog's JSON handler, however, hands any other value
// (a slice, a map, a struct) to encoding/json; so the three types marshal
// masked JSON as well (MarshalJSON below). encoding/json uses MarshalText,
// which keeps the full value for the wire, for map keys: a map keyed by
// IDNr is masked only through [Masked] or the handler option [MaskAttr].

// MarshalJSON implements json.Marshaler with the masked form
// ([IDNr.Masked]); the zero value marshals as "". A wire format that must
// carry the number uses [IDNr.String] or [IDNr.MarshalText] explicitly
// (a string field, or a field type of its own whose MarshalText calls
// it). Unmarshalling reads the 11 digits ([IDNr.UnmarshalText]); the
// masked form is refused.
func (id IDNr) MarshalJSON() ([]byte, error) {
	if id.n == 0 {
		return []byte(`""`), nil
	}
	return []byte(`"` + id.Masked() + `"`), nil
}

// MarshalJSON implements json.Marshaler with the masked form
// ([Date.Masked]). A wire format that must carry the date uses
// [Date.String] or [Date.MarshalText] explicitly.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.Masked() + `"`), nil
}

// MarshalJSON implements json.Marshaler with the masked summary of
// [Person.LogValue]: {"idnr": masked, "birth": masked, "given_names": n,
// "former_names": n, "address": bool}. It exists so that a Person inside a
// slice, map or struct that slog's JSON handler (or any other
// encoding/json user) prints does not leak; a wire format maps the fields
// it sends explicitly.
func (p Person) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 96)
	b = append(b, `{"idnr":`...)
	b = strconv.AppendQuote(b, p.IDNr.Masked())
	b = append(b, `,"birth":`...)
	b = strconv.AppendQuote(b, p.BirthDate.Masked())
	b = append(b, `,"given_names":`...)
	b = strconv.AppendInt(b, int64(countParts(p.GivenNames)), 10)
	b = append(b, `,"former_names":`...)
	b = strconv.AppendInt(b, int64(len(p.FormerNames)), 10)
	b = append(b, `,"address":`...)
	b = strconv.AppendBool(b, !p.Address.IsZero())
	return append(b, '}'), nil
}

// Masked wraps any value for log/slog so that the IDNrs, dates and people
// it holds are logged masked wherever they sit: in slices, arrays, maps
// (keys included), structs (exported fields; unexported ones are left
// out) and behind pointers and interfaces. Use it where a value may hold
// an IDNr as a map key, or where a handler other than slog's text and
// JSON handlers prints nested values its own way:
//
//	logger.Info("batch", "ids", idnr.Masked(byIDNr))
//
// Values of other types that marshal themselves (json.Marshaler,
// encoding.TextMarshaler, fmt.Stringer, error) are logged as they are.
func Masked(v any) slog.LogValuer { return masked{v} }

type masked struct{ v any }

func (m masked) LogValue() slog.Value { return slog.AnyValue(maskValue(reflect.ValueOf(m.v), 0)) }

// MaskAttr is a [slog.HandlerOptions.ReplaceAttr] function that masks
// every attribute value as [Masked] does, so that a handler masks nested
// IDNrs, dates and people (map keys included) without each call site
// wrapping its values.
//
//	slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: idnr.MaskAttr})
func MaskAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindAny {
		a.Value = slog.AnyValue(maskValue(reflect.ValueOf(a.Value.Any()), 0))
	}
	return a
}

// maxMaskDepth bounds the walk (and so cycles through pointers).
const maxMaskDepth = 16

var (
	typIDNr   = reflect.TypeFor[IDNr]()
	typDate   = reflect.TypeFor[Date]()
	typPerson = reflect.TypeFor[Person]()
	typJSON   = reflect.TypeFor[json.Marshaler]()
	typText   = reflect.TypeFor[encoding.TextMarshaler]()
	typString = reflect.TypeFor[fmt.Stringer]()
	typError  = reflect.TypeFor[error]()
	typValuer = reflect.TypeFor[slog.LogValuer]()
)

// maskValue returns v with every IDNr, Date and Person replaced by its
// masked form; containers become []any and map[string]any.
func maskValue(v reflect.Value, depth int) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Type() {
	case typIDNr:
		return v.Interface().(IDNr).Masked()
	case typDate:
		return v.Interface().(Date).Masked()
	case typPerson:
		p := v.Interface().(Person)
		return map[string]any{"idnr": p.IDNr.Masked(), "birth": p.BirthDate.Masked(),
			"given_names": countParts(p.GivenNames), "former_names": len(p.FormerNames), "address": !p.Address.IsZero()}
	}
	if depth >= maxMaskDepth {
		return "<too deep>"
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Pointer && v.Type().Implements(typValuer) {
			if lv, ok := v.Interface().(slog.LogValuer); ok {
				if m, ok := lv.(masked); ok {
					return maskValue(reflect.ValueOf(m.v), depth+1)
				}
			}
		}
		return maskValue(v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface() // bytes
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = maskValue(v.Index(i), depth+1)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			out[maskKey(it.Key(), depth+1)] = maskValue(it.Value(), depth+1)
		}
		return out
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[masked]() {
			return maskValue(reflect.ValueOf(v.Interface().(masked).v), depth+1)
		}
		if marshals(v.Type()) {
			return v.Interface()
		}
		t := v.Type()
		out := make(map[string]any, t.NumField())
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			out[f.Name] = maskValue(v.Field(i), depth+1)
		}
		return out
	}
	if !v.CanInterface() {
		return nil
	}
	return v.Interface()
}

// maskKey formats a map key: the masked form for the personal-data types,
// fmt's form (which masks nested ones) for the rest.
func maskKey(k reflect.Value, depth int) string {
	if s, ok := maskValue(k, depth).(string); ok {
		return s
	}
	return fmt.Sprint(k.Interface())
}

// marshals reports whether t prints itself (other than through its
// fields), so the walk keeps it whole.
func marshals(t reflect.Type) bool {
	for _, i := range []reflect.Type{typJSON, typText, typString, typError} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}
