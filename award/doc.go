// Package award is the dependency-free domain core of the award assessment
// engine (see SPEC.md §1–3): the two award tracks and their variants, the
// Bronze < Silver < Gold levels, the versioned frameworks of standards
// (shipped as embedded JSON sample content), the level decision, the evidence
// upload limits and the per-tenant journey timer settings.
//
// Errors caused by a person's input are returned as *InputError, which names
// the offending field and carries a message that can be shown as is.
package award
