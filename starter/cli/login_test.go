package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loginFake answers a link request and exchanges one right code for a token.
func loginFake(t *testing.T, rightCode string) *fakeAPI {
	f := newFake(t)
	t.Setenv("AWARD_TOKEN", "")
	var nonce string
	f.handle("POST /v1/signin", func(w http.ResponseWriter, r *http.Request) {
		var req loginLinkRequest
		json.NewDecoder(r.Body).Decode(&req)
		nonce = req.CLINonce
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	})
	f.handle("POST /v1/signin/cli/exchange", func(w http.ResponseWriter, r *http.Request) {
		var req loginExchange
		json.NewDecoder(r.Body).Decode(&req)
		if req.CLINonce != nonce || req.Code != rightCode {
			writeProblem(w, problem{Status: 400, Type: "code-refused", Title: "This code is not valid"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"token": "awt_new-token", "id": "tok_1",
			"label": "starter login on " + req.Host, "expires_at": "2027-03-01T10:00:00Z"})
	})
	return f
}

func TestLoginAsksForALinkExchangesTheCodeAndSavesTheTokenPrivately(t *testing.T) {
	f := loginFake(t, "ABCD-EFGH")
	loginInput = strings.NewReader("WRONG-CODE\nABCD-EFGH\n")
	t.Cleanup(func() { loginInput = os.Stdin })

	code, out, errOut := run(t, "login", "--tenant", "northshire", "--email", "alice@northshire.example")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	asks := f.requests("POST", "/v1/signin")
	if len(asks) != 1 {
		t.Fatalf("%d link requests", len(asks))
	}
	if h := asks[0].Header.Get("Authorization"); h != "" {
		t.Errorf("asking for a link sent credentials: %q", h)
	}
	var ask loginLinkRequest
	json.Unmarshal(asks[0].Body, &ask)
	if ask.Tenant != "northshire" || ask.Email != "alice@northshire.example" || len(ask.CLINonce) != 43 {
		t.Errorf("link request %+v", ask)
	}
	if n := len(f.requests("POST", "/v1/signin/cli/exchange")); n != 2 {
		t.Errorf("%d exchanges, want 2 (a wrong code, then the right one)", n)
	}
	if !strings.Contains(errOut, "not accepted") || !strings.Contains(out, "Signed in") {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}

	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "award", "token")
	b, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(b)) != "awt_new-token" {
		t.Fatalf("token file: %q, %v", b, err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", p, st.Mode().Perm(), want, err)
		}
	}

	// Later commands use the saved token when AWARD_TOKEN is unset.
	f.handle("GET /v1/applications/app-1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, sampleApplication("app-1", "toolkit"))
	})
	if code, _, errOut := run(t, "status", "app-1"); code != 0 {
		t.Fatalf("status with the saved token: exit %d %q", code, errOut)
	}
	if h := f.requests("GET", "/v1/applications/app-1")[0].Header.Get("Authorization"); h != "Bearer awt_new-token" {
		t.Errorf("Authorization %q", h)
	}
	// AWARD_TOKEN still wins.
	t.Setenv("AWARD_TOKEN", "from-env")
	run(t, "status", "app-1")
	if h := f.requests("GET", "/v1/applications/app-1")[1].Header.Get("Authorization"); h != "Bearer from-env" {
		t.Errorf("Authorization %q, want the environment's", h)
	}
}

func TestLoginWidensNothingAndReplacesAnOldToken(t *testing.T) {
	loginFake(t, "ABCD-EFGH")
	dir := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "award")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "token"), []byte("old\n"), 0o644)
	loginInput = strings.NewReader("ABCD-EFGH\n")
	t.Cleanup(func() { loginInput = os.Stdin })
	if code, _, errOut := run(t, "login", "--tenant", "northshire", "--email", "a@b.org"); code != 0 {
		t.Fatalf("exit %d %q", code, errOut)
	}
	st, _ := os.Stat(filepath.Join(dir, "token"))
	dst, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o600 || dst.Mode().Perm() != 0o700 {
		t.Errorf("modes %v %v after replacing a world-readable token", st.Mode().Perm(), dst.Mode().Perm())
	}
}

func TestLoginGivesUpAfterThreeWrongCodes(t *testing.T) {
	f := loginFake(t, "ABCD-EFGH")
	loginInput = strings.NewReader("X\nY\nZ\nABCD-EFGH\n")
	t.Cleanup(func() { loginInput = os.Stdin })
	code, _, _ := run(t, "login", "--tenant", "northshire", "--email", "a@b.org")
	if code != exitRefused {
		t.Errorf("exit %d, want %d", code, exitRefused)
	}
	if n := len(f.requests("POST", "/v1/signin/cli/exchange")); n != 3 {
		t.Errorf("%d exchanges", n)
	}
	if storedToken() != "" {
		t.Error("a token was saved")
	}
}

func TestLoginNeedsTenantAndEmail(t *testing.T) {
	f := loginFake(t, "x")
	code, _, errOut := run(t, "login", "--email", "a@b.org")
	if code != exitUsage || !strings.Contains(errOut, "--tenant") || f.count() != 0 {
		t.Errorf("exit %d %q", code, errOut)
	}
}

func TestLogoutRevokesAndDeletesTheSavedToken(t *testing.T) {
	f := newFake(t)
	t.Setenv("AWARD_TOKEN", "")
	if _, err := saveToken("awt_saved"); err != nil {
		t.Fatal(err)
	}
	f.handle("DELETE /v1/me/token", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	code, out, errOut := run(t, "logout")
	if code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	reqs := f.requests("DELETE", "/v1/me/token")
	if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer awt_saved" {
		t.Fatalf("revocation requests %+v", reqs)
	}
	if storedToken() != "" {
		t.Error("the token file is still there")
	}
	if code, out, _ := run(t, "logout"); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("second logout: %d %q", code, out)
	}
}
