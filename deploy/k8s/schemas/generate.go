//go:build ignore

// generate writes the JSON schemas that `make k8s-check` validates deploy/k8s against, offline:
// one standalone, strict schema per kind the manifests use, made from Kubernetes' own OpenAPI
// document (api/openapi-spec/swagger.json of the k8s.io/kubernetes module, taken from the Go
// module proxy) the way kubeconform's schema repository (yannh/kubernetes-json-schema) makes
// its "-standalone-strict" files: references inlined, int-or-string fields accept both, and
// every object refuses properties it does not define, so a misspelt key fails. Descriptions are
// dropped (they only make the files large). Run it again to move to another Kubernetes version
// or to add a kind (see README.md here):
//
//	go mod download -json k8s.io/kubernetes@v1.35.4   # prints its Dir
//	go run deploy/k8s/schemas/generate.go <Dir>/api/openapi-spec/swagger.json deploy/k8s/schemas
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// kinds are the OpenAPI definitions of the kinds deploy/k8s uses.
var kinds = []string{
	"io.k8s.api.apps.v1.Deployment",
	"io.k8s.api.batch.v1.Job",
	"io.k8s.api.core.v1.ConfigMap",
	"io.k8s.api.core.v1.Secret",
	"io.k8s.api.core.v1.Service",
	"io.k8s.api.core.v1.ServiceAccount",
	"io.k8s.api.networking.v1.NetworkPolicy",
	"io.k8s.api.policy.v1.PodDisruptionBudget",
}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: go run generate.go <swagger.json> <output dir>")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		log.Fatal(err)
	}
	for _, name := range kinds {
		def, ok := doc.Definitions[name].(map[string]any)
		if !ok {
			log.Fatalf("%s: not in the OpenAPI document", name)
		}
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		if len(gvks) != 1 {
			log.Fatalf("%s: want one group-version-kind, have %v", name, gvks)
		}
		gvk := gvks[0].(map[string]any)
		group, version, kind := gvk["group"].(string), gvk["version"].(string), gvk["kind"].(string)
		apiVersion := version
		if group != "" {
			apiVersion = group + "/" + version
		}
		schema := inline(def, doc.Definitions, nil).(map[string]any)
		props := schema["properties"].(map[string]any)
		props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
		props["apiVersion"] = map[string]any{"type": "string", "enum": []any{apiVersion}}
		schema["$schema"] = "http://json-schema.org/draft-04/schema#"
		out, err := json.MarshalIndent(schema, "", " ")
		if err != nil {
			log.Fatal(err)
		}
		// kubeconform's file name for a kind: lower-case kind, then the group's first label, then the version.
		file := strings.ToLower(kind)
		if group != "" {
			file += "-" + strings.ToLower(strings.Split(group, ".")[0])
		}
		file += "-" + version + ".json"
		if err := os.WriteFile(filepath.Join(os.Args[2], file), append(out, '\n'), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Println(file)
	}
}

// inline copies a schema node with every "$ref" replaced by the definition it names, int-or-string
// fields made to accept a string or an integer (quantities a string or a number), and objects
// made strict.
func inline(node any, defs map[string]any, seen []string) any {
	switch n := node.(type) {
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = inline(v, defs, seen)
		}
		return out
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/definitions/")
			for _, s := range seen {
				if s == name {
					log.Fatalf("recursive definition %s (via %v): not supported", name, seen)
				}
			}
			if name == "io.k8s.apimachinery.pkg.api.resource.Quantity" { // "500m", "1Gi", or a plain number
				return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
			}
			def, ok := defs[name]
			if !ok {
				log.Fatalf("unknown reference %s", ref)
			}
			return inline(def, defs, append(seen, name))
		}
		if n["format"] == "int-or-string" {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
		}
		out := map[string]any{}
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "description" || strings.HasPrefix(k, "x-kubernetes-") {
				continue
			}
			if k == "properties" {
				props := map[string]any{}
				for p, v := range n[k].(map[string]any) {
					props[p] = inline(v, defs, seen)
				}
				out[k] = props
				continue
			}
			out[k] = inline(n[k], defs, seen)
		}
		if _, ok := out["properties"]; ok {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out
	default:
		return node
	}
}
