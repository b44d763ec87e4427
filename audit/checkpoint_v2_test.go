package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestCheckpointV2Read: a version 2 checkpoint (written before the side
// logs' heads were covered) is still read and verified, states no side
// heads, and encodes back to its own bytes.
func TestCheckpointV2Read(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	id := uuid.New()
	head := [32]byte{1, 2, 3}
	at := time.Unix(1700000000, 7).UTC()
	// The v2 form and message, as the previous version wrote them.
	body := append([]byte(nil), id[:]...)
	body = binary.BigEndian.AppendUint64(body, 42)
	body = append(body, head[:]...)
	body = append(body, make([]byte, 32)...)
	body = binary.BigEndian.AppendUint64(body, uint64(at.UnixNano()))
	sig := ed25519.Sign(key, append([]byte("regmo/audit/checkpoint/v2\n"), body...))
	bin := append(append([]byte{2}, body...), sig...)

	var c Checkpoint
	if err := c.UnmarshalBinary(bin); err != nil {
		t.Fatal(err)
	}
	if c.Size != 42 || c.Head != head || c.Access != (SideHead{}) || c.Transport != (SideHead{}) || !c.Time.Equal(at) {
		t.Fatalf("decoded %+v", c)
	}
	if !c.Verify(key.Public().(ed25519.PublicKey)) {
		t.Fatal("a signed v2 checkpoint does not verify")
	}
	again, err := c.MarshalBinary()
	if err != nil || !bytes.Equal(again, bin) {
		t.Fatalf("v2 round trip: %v", err)
	}
	// A v3 checkpoint signs the side heads: changing one breaks it.
	d := Checkpoint{LogID: id, Size: 42, Head: head, Access: SideHead{ID: 6, Hash: [32]byte{9}}, Time: at}
	d.Sig = ed25519.Sign(key, d.message())
	if !d.Verify(key.Public().(ed25519.PublicKey)) {
		t.Fatal("v3 does not verify")
	}
	d.Access.ID = 5
	if d.Verify(key.Public().(ed25519.PublicKey)) {
		t.Fatal("a v3 checkpoint with another access head verifies")
	}
}
