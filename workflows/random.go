package workflows

import (
	"crypto/rand"
	"encoding/binary"
)

// randomDraw is a uniform draw in [0, 1); only ever called inside workflow.SideEffect.
func randomDraw() float64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
}

// randomSuffix is only ever called inside workflow.SideEffect, whose result is recorded.
func randomSuffix() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
