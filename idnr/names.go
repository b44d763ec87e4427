package idnr

//go:generate go run ../internal/din91379gen
