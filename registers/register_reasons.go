package registers

// Reason codes a register adapter gives records it settles itself, without
// a transfer (see registers/sqlregister).
const (
	// ReasonIDNrInvalidInRegister: the register's own IDNr column holds a
	// value that is not a valid IDNr (wrong length, check digit, ...). The
	// record is a clerk's case; nothing is searched or written for it.
	ReasonIDNrInvalidInRegister = "idnr_invalid_in_register"
	// ReasonIDNrDuplicateInRegister: the register's own IDNr column holds
	// the same IDNr on two or more records (grouped and plain digits count
	// as the same number). Every record that holds it and was not written
	// by regmo is a clerk's case.
	ReasonIDNrDuplicateInRegister = "idnr_duplicate_in_register"
	// ReasonWriteFailed: the register refused to store a record's result
	// (a value too long for its column, a constraint, a type). The record
	// is a clerk's case with the column named in its details; the data
	// the BVA transferred stay in the review queue, so a rerun does not
	// ask for the person again unless the record is reopened.
	ReasonWriteFailed = "write_failed"
)
