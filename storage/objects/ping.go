package objects

import (
	"context"
	"fmt"
)

// Ping checks that the store answers and the bucket is there (readiness probes).
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("object store: %w", err)
	}
	if !ok {
		return fmt.Errorf("object store: bucket %s does not exist", s.bucket)
	}
	return nil
}
