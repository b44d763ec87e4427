package idnr_test

import (
	"errors"
	"fmt"

	"github.com/regmo/regmo/idnr"
)

func ExampleParse() {
	id, err := idnr.Parse("65 929 970 489")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.String())

	_, err = idnr.Parse("36574261890")
	fmt.Println(err, errors.Is(err, idnr.ErrCheckDigit))
	_, err = idnr.Parse("65299970480")
	fmt.Println(err)
	_, err = idnr.Parse("65299970480", idnr.StdnumCompatible)
	fmt.Println(err)
	// Output:
	// 65929970489
	// idnr: bad check digit true
	// idnr: a digit occurs three times in a row
	// <nil>
}

func ExampleIDNr_Masked() {
	id := idnr.MustParse("36574261809")
	fmt.Println(id.Masked())
	fmt.Println(id.Grouped())
	fmt.Printf("%v %s %d\n", id, id, id) // fmt never prints the full number
	// Output:
	// ********809
	// 36 574 261 809
	// ********809 ********809 ********809
}

func ExampleParseDate() {
	for _, s := range []string{"1980-05-17", "00031998", "00001998", "1981-02-29", "17001980"} {
		d, err := idnr.ParseDate(s)
		if err != nil {
			fmt.Println(s, "->", err)
			continue
		}
		_, dayKnown := d.Day()
		_, monthKnown := d.Month()
		fmt.Println(s, "->", d.String(), d.RegisterForm(), "month known:", monthKnown, "day known:", dayKnown)
	}
	// Output:
	// 1980-05-17 -> 1980-05-17 17051980 month known: true day known: true
	// 00031998 -> 1998-03-00 00031998 month known: true day known: false
	// 00001998 -> 1998-00-00 00001998 month known: false day known: false
	// 1981-02-29 -> idnr: date day does not exist in that month
	// 17001980 -> idnr: date has a day but no month
}

func ExampleCheckName() {
	fmt.Println(idnr.CheckName("Müller-Lüdenscheidt", idnr.DataTypeA))
	fmt.Println(idnr.CheckName("Nguyễn Thị Phương", idnr.DataTypeA))
	fmt.Println(idnr.CheckField("GivenNames", "Ивано2", idnr.DataTypeA))
	fmt.Println(idnr.CheckField("Address.Street", "Straße des 17. Juni", idnr.DataTypeB))
	// Output:
	// <nil>
	// <nil>
	// idnr: GivenNames: characters outside DIN 91379 data type A (U+0418, U+0432, U+0430, U+043D, U+043E, U+0032)
	// <nil>
}

func ExamplePerson_Validate() {
	p := idnr.Person{
		FamilyName: "Schmidt",
		GivenNames: "Karl-Heinz",
		BirthDate:  idnr.MustDate(1961, 3, 0),
		Address:    idnr.Address{Street: "Lange Straße", HouseNumber: "12a", PostalCode: "2610", City: "Oldenburg"},
		DeathDate:  idnr.MustDate(1959, 0, 0),
	}
	for _, fe := range idnr.FieldErrors(p.Validate()) {
		fmt.Println(fe.Field+":", fe.Reason)
	}
	// Output:
	// Address.PostalCode: not 5 digits
	// DeathDate: before BirthDate
}
