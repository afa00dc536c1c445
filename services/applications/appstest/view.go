package appstest

import (
	"context"
	"net/url"
	"time"

	"awardengine/services/applications"
	"awardengine/storage/objects"
)

// PresignView is a link to read key in a browser: URL/<key>?view=<name> for a type shown in
// place (objects.Inline), else the download link PresignGet gives.
func (o *Objects) PresignView(ctx context.Context, key, filename, contentType string, ttl time.Duration) (string, time.Time, error) {
	if !objects.Inline(contentType) {
		return o.PresignGet(ctx, key, filename, ttl)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.Err != nil {
		return "", time.Time{}, o.Err
	}
	o.Gets = append(o.Gets, key)
	return URL + "/" + key + "?view=" + url.QueryEscape(filename), Time.Add(ttl), nil
}

var _ applications.ObjectViewer = (*Objects)(nil)
