package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// `starter login` gets an API token by the emailed sign-in link: the command asks the API to
// email a link bound to a random nonce it keeps; the link's Continue page shows a one-time
// code; the person types the code here, and the command trades code and nonce for a new token,
// which it stores in the user's config directory (0600, in a 0700 directory). Commands use it
// when AWARD_TOKEN and --token are not given. `starter logout` revokes and deletes it.

// loginInput is where login reads the code (tests replace it).
var loginInput io.Reader = os.Stdin

// tokenFile is where the token is kept: <user config dir>/award/token.
func tokenFile() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory for the token: %w", err)
	}
	return filepath.Join(dir, "award", "token"), nil
}

// storedToken returns the token `starter login` saved, or "".
func storedToken() string {
	path, err := tokenFile()
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// saveToken writes the token readable by the user only, replacing any earlier one atomically.
func saveToken(token string) (string, error) {
	path, err := tokenFile()
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o700); err != nil { // an existing directory may be wider
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".token-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", err
	}
	if _, err := tmp.WriteString(token + "\n"); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

type loginLinkRequest struct {
	Tenant   string `json:"tenant"`
	Email    string `json:"email"`
	CLINonce string `json:"cli_nonce"`
}

type loginExchange struct {
	CLINonce string `json:"cli_nonce"`
	Code     string `json:"code"`
	Host     string `json:"host"`
}

type issuedToken struct {
	Token     string    `json:"token"`
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	ExpiresAt time.Time `json:"expires_at"`
}

// codeAttempts is how many codes the prompt takes before giving up (the server allows 5).
const codeAttempts = 3

func loginCommand() command {
	return command{
		name:    "login",
		args:    "--tenant T --email E",
		summary: "Sign in by email and keep an API token for these commands",
		about: `Asks the award service to email you a sign-in link. Open it, select Continue,
and type the code the page shows at the prompt. The command then gets a new API token
(labelled "starter login on <this computer>", valid for 90 days) and keeps it in your
config directory, readable by you only; other commands use it when neither --token nor
AWARD_TOKEN is given. 'starter logout' revokes it.`,
		noToken: true,
		setup: func(fs *flag.FlagSet) runner {
			var tenant, addr string
			fs.StringVar(&tenant, "tenant", "", "your council's `id`, e.g. northshire")
			fs.StringVar(&addr, "email", "", "your email `address`")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("login", args); err != nil {
					return err
				}
				tenant, addr = strings.TrimSpace(tenant), strings.TrimSpace(addr)
				var missing []string
				if tenant == "" {
					missing = append(missing, "--tenant")
				}
				if addr == "" {
					missing = append(missing, "--email")
				}
				if len(missing) > 0 {
					return usageErr("login", "missing %s", strings.Join(missing, " and "))
				}
				return a.login(ctx, tenant, addr)
			}
		},
	}
}

func (a *app) login(ctx context.Context, tenant, addr string) error {
	nonceBytes := make([]byte, 32)
	_, _ = rand.Read(nonceBytes)
	nonce := base64.RawURLEncoding.EncodeToString(nonceBytes)
	a.token = "" // no credentials are sent to ask for a link
	if _, err := a.call(ctx, http.MethodPost, "/v1/signin", loginLinkRequest{Tenant: tenant, Email: addr, CLINonce: nonce}, nil); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "If %s belongs to someone at %s, we have emailed a sign-in link to it.\n", addr, tenant)
	fmt.Fprintln(a.stderr, "Open the link, select Continue, and type the code it shows (the link works for 15 minutes).")
	host, _ := os.Hostname()
	in := bufio.NewReader(loginInput)
	for attempt := 1; ; attempt++ {
		fmt.Fprint(a.stderr, "Code: ")
		line, err := in.ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" {
			if err != nil {
				return usageErr("login", "no code given")
			}
			attempt--
			continue
		}
		var tok issuedToken
		_, err = a.call(ctx, http.MethodPost, "/v1/signin/cli/exchange", loginExchange{CLINonce: nonce, Code: code, Host: host}, &tok)
		var ce *cliError
		if errors.As(err, &ce) && ce.status == http.StatusBadRequest && attempt < codeAttempts {
			fmt.Fprintln(a.stderr, "That code was not accepted: check it and try again.")
			continue
		}
		if err != nil {
			return err
		}
		path, err := saveToken(tok.Token)
		if err != nil {
			return fmt.Errorf("signed in, but the token could not be saved: %w", err)
		}
		fmt.Fprintf(a.stdout, "Signed in. Token %q (%s) saved in %s; it expires on %s.\n",
			tok.Label, tok.ID, path, tok.ExpiresAt.Format("2 January 2006"))
		return nil
	}
}

func logoutCommand() command {
	return command{
		name:    "logout",
		args:    "",
		summary: "Revoke and forget the token 'starter login' saved",
		about:   "Revokes the API token 'starter login' saved (so it stops working at once) and deletes its file.",
		noToken: true,
		setup: func(*flag.FlagSet) runner {
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("logout", args); err != nil {
					return err
				}
				path, err := tokenFile()
				if err != nil {
					return err
				}
				token := storedToken()
				if token == "" {
					fmt.Fprintln(a.stdout, "No saved token: nothing to do.")
					return nil
				}
				a.token = token
				_, err = a.call(ctx, http.MethodDelete, "/v1/me/token", nil, nil)
				var ce *cliError
				// A token the API no longer accepts (revoked, expired) is as good as revoked.
				if err != nil && !(errors.As(err, &ce) && ce.status == http.StatusUnauthorized) {
					return err
				}
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				fmt.Fprintln(a.stdout, "Signed out: the saved token is revoked and deleted.")
				return nil
			}
		},
	}
}
