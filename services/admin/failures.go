package admin

import (
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// decoded is a failure read from Temporal with its messages readable: the product's failure
// converter (payloadcrypt) moves every message and stack trace into encrypted attributes, so
// the clear-text message is only "Encoded failure". Without Payloads (tests over fakes) the
// failure is returned as it is. A failure whose key was destroyed by an erasure stays encoded.
func (s *Service) decoded(f *failurepb.Failure) *failurepb.Failure {
	if f == nil || s.Payloads == nil {
		return f
	}
	c := proto.Clone(f).(*failurepb.Failure)
	for x := c; x != nil; x = x.GetCause() {
		converter.DecodeCommonFailureAttributes(s.Payloads, x)
	}
	return c
}
