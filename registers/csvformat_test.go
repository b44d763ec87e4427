package registers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/regmo/regmo/registers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type caseList []registers.Case

func (l caseList) Cases(_ context.Context, fn func(registers.Case) error) error {
	for _, c := range l {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// The German spreadsheet form: BOM, semicolons, CRLF, decimal comma; the
// cells are the same as in the standard form and read back by a CSV
// reader with ';'.
func TestWriteCasesCSVGerman(t *testing.T) {
	cases := caseList{
		{Key: "0815/17", Outcome: registers.Review, Reason: "geburtsort_abweichend", Score: 0.85, Details: []string{"Familienname gleich", "Geburtsort abweichend; Ort ähnlich"}},
		{Key: "=1+1", Outcome: registers.NoSearch, Reason: "no_birth_date"},
	}
	var std, de bytes.Buffer
	require.NoError(t, registers.WriteCasesCSV(context.Background(), &std, cases))
	require.NoError(t, registers.WriteCasesCSVFormat(context.Background(), &de, cases, registers.CSVGerman))
	assert.True(t, bytes.HasPrefix(de.Bytes(), []byte("\xef\xbb\xbfkey;outcome;reason;score;details;message_id\r\n")), de.String())
	assert.False(t, bytes.HasPrefix(std.Bytes(), []byte("\xef\xbb\xbf")))
	assert.Contains(t, de.String(), "0,85")
	assert.Contains(t, std.String(), "0.85")

	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(de.Bytes(), []byte("\xef\xbb\xbf"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{"0815/17", "review", "geburtsort_abweichend", "0,85", "Familienname gleich; Geburtsort abweichend; Ort ähnlich", ""}, rows[1])
	assert.Equal(t, "'=1+1", rows[2][0], "formula defused")
	stdRows, err := csv.NewReader(&std).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, rows[2], stdRows[2])
}
