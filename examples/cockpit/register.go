package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/regmo/regmo/audit"
	"github.com/regmo/regmo/cockpit"
	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
)

// demoPeople are the three synthetic people of the -demo log and register.
var demoPeople = []struct {
	id, family, given, born string
}{
	{"36574261809", "Musterfrau", "Erika", "1980-05-17"},
	{"86095742719", "Schönhuber-Alpenglück", "Josef", "1975-11-02"},
	{"65929970489", "Graf von Neuenwalde", "Friedrich", "1990-00-00"},
}

// openRegister opens the register whose birth dates the cockpit checks:
// the SQLite register the backfill example fills (table "people"), or,
// with demo and no file at path, a new one holding the three demo people.
func openRegister(ctx context.Context, path, table string, demo bool) (*sqlregister.Register, func(), error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if !demo {
			return nil, nil, fmt.Errorf("no register at %s: the cockpit checks the birth date the DSC sends against it.\n"+
				"Run the backfill example (it writes the register), start with -demo, or give -insecure-skip-verify-person "+
				"to answer without checking the birth date", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, err
		}
	} else if err != nil {
		return nil, nil, err
	}
	db, err := sqlregister.OpenSQLite(path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the register %s: %w", path, err)
	}
	fail := func(err error) (*sqlregister.Register, func(), error) {
		db.Close()
		return nil, nil, fmt.Errorf("register %s: %w", path, err)
	}
	if demo {
		if err := sqlregister.CreateTable(ctx, db, sqlregister.SQLite, table); err != nil {
			return fail(err)
		}
	}
	reg, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: table, Key: "id", IntegerKey: true,
		Columns: sqlregister.DefaultColumns()})
	if err != nil {
		return fail(err)
	}
	if demo {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			return fail(err)
		}
		if n == 0 {
			var es []registers.Entry
			for i, p := range demoPeople {
				born, _ := idnr.ParseDate(p.born)
				es = append(es, registers.Entry{Key: registers.Key(strconv.Itoa(i + 1)), Person: idnr.Person{
					IDNr: idnr.MustParse(p.id), FamilyName: p.family, GivenNames: p.given, BirthDate: born}})
			}
			if err := reg.Insert(ctx, es); err != nil {
				return fail(err)
			}
		}
	}
	return reg, func() { db.Close() }, nil
}

// verifyBirthDate is the cockpit's [cockpit.Config.VerifyPerson] over the
// register: the person must be in the register, the request must carry a
// birth date, and every part of it that both sides know must agree (a
// register that keeps only the year accepts any day of that year).
func verifyBirthDate(reg *sqlregister.Register) func(context.Context, idnr.IDNr, idnr.Date) error {
	return func(ctx context.Context, id idnr.IDNr, birth idnr.Date) error {
		e, ok, err := reg.ByIDNr(ctx, id)
		if err != nil {
			return err
		}
		held := e.Person.BirthDate
		if !ok || birth.IsZero() || held.IsZero() || !held.Compatible(birth) {
			return cockpit.ErrLookupMismatch
		}
		return nil
	}
}

// registerCurrent serves the register's current data about a person
// (Bestandsdaten) to the cockpit: one item, the person's row.
type registerCurrent struct{ reg *sqlregister.Register }

const currentItem = "person"

func (r registerCurrent) item() cockpit.CurrentItem {
	return cockpit.CurrentItem{ID: currentItem, Title: "Meldedaten (Demo-Register)",
		Categories: []audit.Category{audit.CatFamilyName, audit.CatGivenNames, audit.CatBirthDate}}
}

func (r registerCurrent) CurrentItems(ctx context.Context, id idnr.IDNr) ([]cockpit.CurrentItem, error) {
	_, ok, err := r.reg.ByIDNr(ctx, id)
	if err != nil || !ok {
		return nil, err
	}
	return []cockpit.CurrentItem{r.item()}, nil
}

func (r registerCurrent) CurrentContent(ctx context.Context, id idnr.IDNr, item string) (cockpit.CurrentItem, []byte, error) {
	e, ok, err := r.reg.ByIDNr(ctx, id)
	if err != nil {
		return cockpit.CurrentItem{}, nil, err
	}
	if !ok || item != currentItem {
		return cockpit.CurrentItem{}, nil, cockpit.ErrEntryUnknown
	}
	b, err := json.Marshal(map[string]string{"Familienname": e.Person.FamilyName, "Vornamen": e.Person.GivenNames,
		"Geburtsdatum": e.Person.BirthDate.String()})
	return r.item(), b, err
}
