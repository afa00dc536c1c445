package cli

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Requests to object storage go straight to presigned URLs: they carry no API
// token (the signature in the URL is the credential).

// storageDo sends req to object storage and returns the response when 2xx.
func (a *app) storageDo(req *http.Request, what string) (*http.Response, error) {
	req.Header.Set("User-Agent", userAgent)
	resp, err := a.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, unavailable("%s: cannot reach object storage at %s: %v", what, req.URL.Host, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	msg := fmt.Sprintf("%s: object storage answered %s", what, resp.Status)
	if detail := storageDetail(body); detail != "" {
		msg += ": " + detail
	}
	code := exitRefused
	if resp.StatusCode >= 500 {
		code = exitUnavailable
	}
	if resp.StatusCode == http.StatusForbidden && strings.Contains(string(body), "expired") {
		msg += " (the link has expired: run the command again)"
	}
	return nil, &cliError{code: code, msg: msg}
}

// storageDetail extracts Code and Message from an S3 XML error body.
func storageDetail(body []byte) string {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(body, &e) == nil && (e.Code != "" || e.Message != "") {
		return strings.TrimSpace(strings.Trim(e.Code+": "+e.Message, ": "))
	}
	return firstLine(string(body))
}
