package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"awardengine/structs"
)

func toolkitCommand() command {
	return command{
		name:    "toolkit",
		args:    "APPLICATION_ID [--download DIR]",
		summary: "List (or download) the toolkit documents",
		about: `Lists the toolkit documents of an application with short-lived links.
With --download, saves them into DIR (created if needed).`,
		setup: func(fs *flag.FlagSet) runner {
			var dir string
			fs.StringVar(&dir, "download", "", "save the documents into `DIR`")
			return func(ctx context.Context, a *app, args []string) error {
				if err := wantArgs("toolkit", args, "APPLICATION_ID"); err != nil {
					return err
				}
				var out struct {
					Documents []structs.ToolkitDocument `json:"documents"`
				}
				raw, err := a.call(ctx, http.MethodGet, appPath(args[0], "toolkit"), nil, &out)
				if err != nil {
					return err
				}
				if a.json {
					if err := a.printJSON(raw); err != nil {
						return err
					}
				} else {
					a.printDocuments(out.Documents)
				}
				if dir == "" {
					return nil
				}
				return a.downloadDocuments(ctx, out.Documents, dir)
			}
		},
	}
}

func (a *app) printDocuments(docs []structs.ToolkitDocument) {
	if len(docs) == 0 {
		fmt.Fprintln(a.stdout, "The toolkit has no documents.")
		return
	}
	for _, d := range docs {
		fmt.Fprintf(a.stdout, "%s (%s, %s)\n  %s\n", d.Title, d.Filename, d.ContentType, d.URL)
	}
	if exp := docs[0].ExpiresAt; !exp.IsZero() {
		fmt.Fprintf(a.stdout, "Links expire at %s.\n", formatTime(exp))
	}
}

// downloadDocuments saves each document into dir; messages go to stderr so
// that --json output stays clean.
func (a *app) downloadDocuments(ctx context.Context, docs []structs.ToolkitDocument, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &cliError{code: exitUsage, msg: fmt.Sprintf("toolkit: cannot create %s: %v", dir, err)}
	}
	used := map[string]bool{}
	for i, d := range docs {
		name := uniqueName(safeFilename(d, i), used)
		dest := filepath.Join(dir, name)
		n, err := a.download(ctx, d.URL, dest)
		if err != nil {
			return err
		}
		if !a.json {
			fmt.Fprintf(a.stderr, "Saved %s (%s)\n", dest, formatBytes(n))
		}
	}
	return nil
}

func (a *app) download(ctx context.Context, url, dest string) (int64, error) {
	what := "downloading " + filepath.Base(dest)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, unavailable("%s: bad link from the API: %v", what, err)
	}
	resp, err := a.storageDo(req, what)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".download-*")
	if err != nil {
		return 0, &cliError{code: exitUsage, msg: fmt.Sprintf("%s: %v", what, err)}
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, resp.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, unavailable("%s: %v", what, err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return 0, &cliError{code: exitUsage, msg: fmt.Sprintf("%s: %v", what, err)}
	}
	return n, nil
}

// safeFilename keeps only the last element of the document's file name, so
// that a name from the API can never write outside the target directory.
func safeFilename(d structs.ToolkitDocument, i int) string {
	name := path.Base(strings.ReplaceAll(d.Filename, `\`, "/"))
	if name == "" || name == "." || name == ".." || name == "/" || strings.HasPrefix(name, ".") {
		name = fmt.Sprintf("document-%d", i+1)
		if exts, _ := mime.ExtensionsByType(d.ContentType); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

func uniqueName(name string, used map[string]bool) string {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
	used[name] = true
	return name
}
