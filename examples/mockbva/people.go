package main

import (
	"encoding/pem"
	"errors"
)

func pemDecode(data []byte) ([]byte, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	return b.Bytes, nil
}
