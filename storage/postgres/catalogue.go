package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// UpsertFramework stores one version of a framework (its body is the domain's JSON form).
func (db *DB) UpsertFramework(ctx context.Context, id string, version int, variant string, sample bool, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `
		INSERT INTO frameworks (id, version, variant, sample, body) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (id, version) DO NOTHING`, id, version, variant, sample, raw)
	return err
}

// CurrentFramework loads the newest version of the framework for a variant into out.
func (db *DB) CurrentFramework(ctx context.Context, variant string, out any) error {
	var raw []byte
	err := db.pool.QueryRow(ctx, `SELECT body FROM frameworks WHERE variant=$1 ORDER BY version DESC LIMIT 1`, variant).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("no framework for variant %q: %w", variant, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Framework loads one version of a framework into out.
func (db *DB) Framework(ctx context.Context, id string, version int, out any) error {
	var raw []byte
	err := db.pool.QueryRow(ctx, `SELECT body FROM frameworks WHERE id=$1 AND version=$2`, id, version).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("framework %s v%d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// ToolkitDocument is one document of a variant's toolkit, stored in object storage.
type ToolkitDocument struct {
	Variant     string `json:"-"`
	Filename    string `json:"filename"`
	Title       string `json:"title"`
	ContentType string `json:"content_type"`
	ObjectKey   string `json:"-"`
}

// UpsertToolkitDocument records a toolkit document.
func (db *DB) UpsertToolkitDocument(ctx context.Context, d ToolkitDocument) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO toolkit_documents (variant, filename, title, content_type, object_key) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (variant, filename) DO UPDATE SET title=$3, content_type=$4, object_key=$5`,
		d.Variant, d.Filename, d.Title, d.ContentType, d.ObjectKey)
	return err
}

// ToolkitDocuments lists a variant's toolkit.
func (db *DB) ToolkitDocuments(ctx context.Context, variant string) ([]ToolkitDocument, error) {
	rows, err := db.pool.Query(ctx, `SELECT variant, filename, title, content_type, object_key FROM toolkit_documents WHERE variant=$1 ORDER BY filename`, variant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ToolkitDocument
	for rows.Next() {
		var d ToolkitDocument
		if err := rows.Scan(&d.Variant, &d.Filename, &d.Title, &d.ContentType, &d.ObjectKey); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
