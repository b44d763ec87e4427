package registers

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVFormat is the form of the clerks' work list ([WriteCasesCSVFormat]).
type CSVFormat struct {
	// Comma separates the fields (',' if zero).
	Comma rune
	// BOM starts the file with the UTF-8 byte order mark, which spreadsheet
	// programs need to read the file as UTF-8 (umlauts in reasons and
	// details).
	BOM bool
	// CRLF ends lines with \r\n.
	CRLF bool
	// DecimalComma writes the score with a decimal comma (0,85).
	DecimalComma bool
}

var (
	// CSVStandard is RFC 4180 with \n line ends: comma, no BOM, score
	// with a decimal point. For programs.
	CSVStandard = CSVFormat{Comma: ','}
	// CSVGerman is the form German spreadsheet programs (Excel,
	// LibreOffice with German locale) open directly with a double click:
	// semicolon, UTF-8 BOM, \r\n, decimal comma.
	CSVGerman = CSVFormat{Comma: ';', BOM: true, CRLF: true, DecimalComma: true}
)

// WriteCasesCSVFormat is [WriteCasesCSV] in the form f. The columns and
// their contents are the same (no personal data; cells that a spreadsheet
// would read as a formula are defused).
func WriteCasesCSVFormat(ctx context.Context, w io.Writer, src CaseLister, f CSVFormat) error {
	if f.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if f.Comma != 0 {
		cw.Comma = f.Comma
	}
	cw.UseCRLF = f.CRLF
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := make([]string, len(CSVHeader))
	err := src.Cases(ctx, func(c Case) error {
		row[0] = csvSafe(string(c.Key))
		row[1] = c.Outcome.String()
		row[2] = csvSafe(c.Reason)
		row[3] = ""
		if c.Score != 0 {
			row[3] = strconv.FormatFloat(c.Score, 'f', 2, 64)
			if f.DecimalComma {
				row[3] = strings.Replace(row[3], ".", ",", 1)
			}
		}
		row[4] = csvSafe(strings.Join(c.Details, "; "))
		row[5] = c.MessageID
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
