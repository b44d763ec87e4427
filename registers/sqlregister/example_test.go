package sqlregister_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/regmo/regmo/idnr"
	"github.com/regmo/regmo/registers"
	"github.com/regmo/regmo/registers/sqlregister"
)

// ParseColumns maps the field tokens to the register's own column names;
// the register keeps the fields of the mapped columns.
func ExampleParseColumns() {
	cols, err := sqlregister.ParseColumns("family_name=nachname, given_names=vornamen, birth_date=geb_datum, postal_code=plz, city=ort")
	if err != nil {
		panic(err)
	}
	fmt.Println(cols.FamilyName, cols.BirthDate, cols.City)
	_, err = sqlregister.ParseColumns("surname=nachname")
	fmt.Println(err != nil)
	// Output:
	// nachname geb_datum ort
	// true
}

// A register table on SQLite: the demo layout, two people, what the
// register keeps and what is still to do.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sqlregister-example")
	defer os.RemoveAll(dir)
	db, err := sqlregister.OpenSQLite(filepath.Join(dir, "register.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if err := sqlregister.CreateTable(ctx, db, sqlregister.SQLite, "people"); err != nil {
		panic(err)
	}
	cols, _ := sqlregister.ParseColumns("family_name=family_name,given_names=given_names,birth_date=birth_date,postal_code=postal_code,city=city")
	reg, err := sqlregister.New(ctx, db, sqlregister.Config{Dialect: sqlregister.SQLite, Table: "people", Key: "id", IntegerKey: true, Columns: cols})
	if err != nil {
		panic(err)
	}
	err = reg.Insert(ctx, []registers.Entry{
		{Key: "1", Person: idnr.Person{FamilyName: "Muster", GivenNames: "Erika", BirthDate: idnr.MustDate(1964, 8, 12),
			Address: idnr.Address{PostalCode: "51147", City: "Köln"}}},
		{Key: "2", Person: idnr.Person{FamilyName: "Beispiel", BirthDate: idnr.MustDate(1980, 0, 0)}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(reg.Fields())
	pending, _ := reg.Next(ctx, "", 10)
	for _, e := range pending {
		fmt.Println(e.Key, e.Person.Address.PostalCode, e.Person.BirthDate.Masked())
	}
	counts, _ := reg.Counts(ctx)
	fmt.Println(counts[registers.OutcomePending], "pending")
	// Output:
	// idnr|family_name|given_names|birth_date|address
	// 1 51147 ****-**-**
	// 2  ****-00-00
	// 2 pending
}
